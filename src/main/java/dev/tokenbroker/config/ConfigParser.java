package dev.tokenbroker.config;

import dev.tokenbroker.token.RefreshTiming;
import dev.tokenbroker.auth.AccountGlob;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.provider.GrantType;
import dev.tokenbroker.provider.BodyEncoding;
import dev.tokenbroker.provider.ClientAuth;
import dev.tokenbroker.provider.ClientCredentials;
import dev.tokenbroker.provider.Preset;
import dev.tokenbroker.provider.LostAnswer;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.secret.Secret;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the merged raw configuration into a validated {@link BrokerConfig}. Every key the
 * broker knows is read here, even when its feature is off, so that a key nobody reads is a
 * misspelling: it stops start-up naming the closest known key.
 */
final class ConfigParser {
  static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  static final Pattern ACCOUNT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final long MAX_SECONDS = 10L * 365 * 24 * 3600;

  /** Extra keys the loader fills from TOKEN_BROKER_API_KEY_SHA256 and TOKEN_BROKER_ADMIN_KEY_SHA256. */
  static final String ENV_API_KEYS = "api-key-sha256-env";
  static final String ENV_ADMIN_KEYS = "admin-key-sha256-env";
  /** Store keys the loader fills from TOKEN_BROKER_ENCRYPTION_KEY and TOKEN_BROKER_ENCRYPTION_OLD_KEYS. */
  static final String ENV_ENCRYPTION_KEY = "encryption-key";
  static final String ENV_OLD_KEYS = "encryption-old-keys";
  /** The key of a webhook entry the loader fills from the environment variable its secret-env names. */
  static final String ENV_WEBHOOK_SECRET = "secret-from-env";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** Cluster keys the loader fills from TOKEN_BROKER_CLUSTER_KEY and TOKEN_BROKER_CLUSTER_OLD_KEYS. */
  static final String ENV_CLUSTER_KEY = "encryption-key";
  static final String ENV_CLUSTER_OLD_KEYS = "encryption-old-keys";

  private final ConfigSection root;

  ConfigParser(JsonObject raw) {
    this.root = ConfigSection.root(raw);
  }

  BrokerConfig parse() {
    BrokerConfig config = build();
    List<ConfigSection.UnknownKey> unknown = root.unknownKeys();
    if (!unknown.isEmpty()) {
      throw unknown.get(0).exception();
    }
    return config;
  }

  /**
   * The keys of {@code raw} that the broker does not know; empty when the configuration is
   * invalid for another reason (parsing reports that).
   */
  static List<ConfigSection.UnknownKey> unknownKeys(JsonObject raw) {
    ConfigParser parser = new ConfigParser(raw);
    try {
      parser.build();
    } catch (ConfigException e) {
      return List.of();
    }
    return parser.root.unknownKeys();
  }

  private BrokerConfig build() {
    RefreshTiming refresh = refresh(root.section("refresh"));
    StoreConfig store = store(root.section("store"));
    Map<String, ProviderSpec> providers = providers(root.section("providers"));
    Optional<SandboxConfig> sandbox = sandbox(root.section("sandbox"));
    HttpConfig http = http(root.section("http"), sandbox, providers.keySet());
    int busInstances = (int) root.section("bus").number("instances", 2, 1, 64, "a whole number");
    String trust = root.section("tls").file("provider-trust-pem");
    ClusterConfig cluster = cluster(root.section("cluster"));
    List<WebhookConfig> webhooks = webhooks(root);
    return new BrokerConfig(http, refresh, store, busInstances, providers, sandbox, trust, cluster, webhooks);
  }

  private HttpConfig http(ConfigSection s, Optional<SandboxConfig> sandbox, Set<String> providers) {
    String host = s.string("host", "127.0.0.1");
    int port = (int) s.number("port", 8080, 0, 65535, "a port number");
    int instances = (int) s.number("instances", 2, 1, 64, "a whole number");
    HttpConfig.Limits defaults = HttpConfig.Limits.defaults();
    HttpConfig.Limits limits = new HttpConfig.Limits(
        (int) s.seconds("idle-timeout-seconds", defaults.idleTimeoutSeconds(), 1, 24 * 3600),
        (int) s.number("max-connections", defaults.maxConnections(), 1, 1_000_000, "a whole number"),
        (int) s.number("max-event-streams", defaults.maxEventStreams(), 0, 1_000_000, "a whole number"),
        (int) s.number("max-pending-authorizations", defaults.maxPendingAuthorizations(), 1, 10_000_000, "a whole number"),
        s.number("proxy-max-body-bytes", defaults.proxyMaxBodyBytes(), 1, 1L << 40, "a number of bytes"));
    List<ApiKey> keys = apiKeys(s, sandbox, providers);
    ConfigSection tls = s.section("tls");
    String cert = tls.file("cert-path");
    String key = tls.file("key-path");
    if ((cert == null) != (key == null)) {
      throw new ConfigException(tls.key(cert == null ? "cert-path" : "key-path"), "is required with " + tls.key(cert == null ? "key-path" : "cert-path"));
    }
    return new HttpConfig(host, port, keys, instances, cert, key, limits);
  }

  /**
   * The accepted API keys: {@code http.api-keys} (each with its scope), then
   * TOKEN_BROKER_API_KEY_SHA256 (default actions), TOKEN_BROKER_ADMIN_KEY_SHA256 (every action)
   * and the sandbox's demo key (every action, so the walk-throughs in README.md and
   * docs/http-api.md work). A digest may appear only once: one key, one scope.
   */
  private static List<ApiKey> apiKeys(ConfigSection s, Optional<SandboxConfig> sandbox, Set<String> providers) {
    Map<String, String> sources = new LinkedHashMap<>();
    List<ApiKey> keys = new ArrayList<>();
    for (ConfigSection k : s.sections("api-keys")) {
      String name = k.string("name", "key-" + (keys.size() + 1));
      String digest = digest(k, "sha256", k.requiredString("sha256", " (the SHA-256 hex digest of the key)"));
      addKey(keys, sources, k.key("sha256"), new ApiKey(name, digest, scope(k, providers)));
    }
    envKeys(s, ENV_API_KEYS, "TOKEN_BROKER_API_KEY_SHA256", "env-", KeyAction.DEFAULTS, keys, sources);
    envKeys(s, ENV_ADMIN_KEYS, "TOKEN_BROKER_ADMIN_KEY_SHA256", "env-admin-", KeyAction.ALL, keys, sources);
    sandbox.map(SandboxConfig::demoApiKey).ifPresent(k -> addKey(keys, sources, "sandbox.demo-api-key",
        new ApiKey("sandbox-demo", Secret.sha256Hex(k.reveal()), KeyScope.unrestricted(KeyAction.ALL))));
    return keys;
  }

  private static void envKeys(ConfigSection s, String name, String variable, String prefix, Set<KeyAction> actions,
      List<ApiKey> keys, Map<String, String> sources) {
    String fromEnv = s.string(name, null);
    if (fromEnv == null) {
      return;
    }
    int i = 1;
    for (String d : fromEnv.split(",")) {
      if (!d.isBlank()) {
        addKey(keys, sources, variable, new ApiKey(prefix + i++, digest(s, variable, d.trim()), KeyScope.unrestricted(actions)));
      }
    }
  }

  private static void addKey(List<ApiKey> keys, Map<String, String> sources, String source, ApiKey key) {
    String earlier = sources.putIfAbsent(key.sha256(), source);
    if (earlier != null) {
      throw new ConfigException(source, "the same key as " + earlier + "; list each key once (a key has one scope)");
    }
    keys.add(key);
  }

  /** A key's {@code providers}, {@code accounts} and {@code actions}; each absent one means all (actions: all but admin). */
  private static KeyScope scope(ConfigSection k, Set<String> configured) {
    Optional<Set<String>> providers = Optional.ofNullable(nonEmpty(k, "providers", "every provider")).map(names -> {
      for (String p : names) {
        if (!configured.contains(p)) {
          throw new ConfigException(k.key("providers"), "unknown provider '" + p + "' (" + String.join(", ", configured) + ")");
        }
      }
      return Set.copyOf(names);
    });
    Optional<List<AccountGlob>> accounts = Optional.ofNullable(nonEmpty(k, "accounts", "every account")).map(patterns -> {
      List<AccountGlob> globs = new ArrayList<>();
      for (String p : patterns) {
        try {
          globs.add(AccountGlob.of(p));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(k.key("accounts"), e.getMessage());
        }
      }
      return globs;
    });
    Set<KeyAction> actions = EnumSet.noneOf(KeyAction.class);
    List<String> names = nonEmpty(k, "actions", "every action but admin");
    if (names == null) {
      actions.addAll(KeyAction.DEFAULTS);
    } else {
      for (String a : names) {
        actions.add(KeyAction.byName(a).orElseThrow(() ->
            new ConfigException(k.key("actions"), "unknown action '" + a + "' (" + KeyAction.names() + ")")));
      }
    }
    return new KeyScope(providers, accounts, actions);
  }

  /** A list that, when given, names something: an empty one would lock the key out, which nobody means. */
  private static List<String> nonEmpty(ConfigSection k, String name, String absentMeans) {
    List<String> values = k.strings(name);
    if (values != null && values.isEmpty()) {
      throw new ConfigException(k.key(name), "must not be empty; leave it out for " + absentMeans);
    }
    return values;
  }

  private static String digest(ConfigSection s, String name, String value) {
    if (!SHA256_HEX.matcher(value).matches()) {
      String key = name.startsWith("TOKEN_BROKER") ? name : s.key(name);
      throw new ConfigException(key, "must be a SHA-256 hex digest (64 hex characters), not the key itself");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  private RefreshTiming refresh(ConfigSection s) {
    RefreshTiming d = RefreshTiming.defaults();
    long initial = s.seconds("retry-initial-seconds", d.retryInitialSeconds(), 1, MAX_SECONDS);
    long max = s.seconds("retry-max-seconds", d.retryMaxSeconds(), 1, MAX_SECONDS);
    if (max < initial) {
      throw new ConfigException(s.key("retry-max-seconds"), "must not be less than retry-initial-seconds (" + initial + ")");
    }
    return new RefreshTiming(
        s.seconds("skew-seconds", d.skewSeconds(), 0, MAX_SECONDS),
        s.seconds("jitter-seconds", d.jitterSeconds(), 0, MAX_SECONDS),
        s.seconds("min-validity-seconds", d.minValiditySeconds(), 0, MAX_SECONDS),
        s.seconds("default-lifetime-seconds", d.defaultLifetimeSeconds(), 1, MAX_SECONDS),
        initial, max,
        s.seconds("expiring-warning-seconds", d.expiringWarningSeconds(), 0, MAX_SECONDS));
  }

  private StoreConfig store(ConfigSection s) {
    String type = s.string("type", "memory").toLowerCase(Locale.ROOT);
    String jdbc;
    StoreConfig.Type kind;
    switch (type) {
      case "memory":
        // the durable stores' keys are allowed (and ignored): a file may keep them for a later switch
        s.known("path", "url", "user", "password", "encryption", ENV_ENCRYPTION_KEY, ENV_OLD_KEYS,
            "pool-size", "connect-timeout-seconds", "idle-timeout-seconds", "query-timeout-seconds");
        return StoreConfig.memory();
      case "file": {
        s.known("url");
        kind = StoreConfig.Type.FILE;
        jdbc = "jdbc:h2:file:" + java.nio.file.Path.of(s.string("path", "data/tokens")).toAbsolutePath();
        break;
      }
      case "postgres": {
        s.known("path");
        kind = StoreConfig.Type.POSTGRES;
        String url = s.requiredString("url", " with type postgres (postgresql://host:5432/database)");
        if (url.startsWith("postgresql://")) {
          jdbc = "jdbc:" + url;
        } else if (url.startsWith("jdbc:postgresql://")) {
          jdbc = url;
        } else {
          throw new ConfigException(s.key("url"), "must start with postgresql://");
        }
        break;
      }
      default:
        throw new ConfigException(s.key("type"), "must be one of memory | file | postgres, got '" + type + "'");
    }
    String encryption = s.string("encryption", "aes-gcm").toLowerCase(Locale.ROOT);
    Secret key = null;
    List<Secret> old = new ArrayList<>();
    if (encryption.equals("aes-gcm")) {
      String k = s.string(ENV_ENCRYPTION_KEY, null);
      s.known(ENV_OLD_KEYS);
      if (k == null) {
        throw new ConfigException(s.key("encryption"), "a durable store encrypts tokens: set TOKEN_BROKER_ENCRYPTION_KEY "
            + "(base64 of 32 random bytes: openssl rand -base64 32), or encryption: none explicitly");
      }
      key = cipherKey("TOKEN_BROKER_ENCRYPTION_KEY", k);
      String olds = s.string(ENV_OLD_KEYS, null);
      if (olds != null) {
        for (String o : olds.split(",")) {
          if (!o.isBlank()) {
            old.add(cipherKey("TOKEN_BROKER_ENCRYPTION_OLD_KEYS", o.trim()));
          }
        }
      }
    } else if (!encryption.equals("none")) {
      throw new ConfigException(s.key("encryption"), "must be aes-gcm or none, got '" + encryption + "'");
    } else {
      s.known(ENV_ENCRYPTION_KEY, ENV_OLD_KEYS); // keys from the environment, unused without encryption
    }
    String password = s.string("password", null);
    // the pool's keys are read for both durable stores (the file store uses only the query timeout)
    StoreConfig.Limits limits = new StoreConfig.Limits(
        (int) s.number("pool-size", StoreConfig.Limits.DEFAULT_POOL_SIZE, 1, 100, "a whole number"),
        s.seconds("connect-timeout-seconds", StoreConfig.Limits.DEFAULT_CONNECT_TIMEOUT_SECONDS, 1, 300) * 1000,
        s.seconds("idle-timeout-seconds", StoreConfig.Limits.DEFAULT_IDLE_TIMEOUT_SECONDS, 1, 86_400) * 1000,
        s.seconds("query-timeout-seconds", StoreConfig.Limits.DEFAULT_QUERY_TIMEOUT_SECONDS, 1, 300) * 1000);
    return new StoreConfig(kind, jdbc, s.string("user", null), Secret.ofNullable(password), key, old, limits);
  }

  /**
   * {@code webhooks: [{url, events, secret-env}]}: https unless loopback (like token-url), events
   * from {@link WebhookConfig#EVENTS}, and the secret in the environment variable secret-env names,
   * which must be set: a webhook nobody can verify is refused at start-up.
   */
  private static List<WebhookConfig> webhooks(ConfigSection root) {
    List<WebhookConfig> out = new ArrayList<>();
    for (ConfigSection w : root.sections("webhooks")) {
      String url = w.url("url");
      if (url == null) {
        throw w.missing("url", "is required (where the events are POSTed)");
      }
      requireHttps(w, "url", url, false);
      List<String> events = w.strings("events");
      if (events == null || events.isEmpty()) {
        throw w.missing("events", "is required: a list of " + String.join(", ", WebhookConfig.EVENTS));
      }
      for (String e : events) {
        if (!WebhookConfig.EVENTS.contains(e)) {
          throw new ConfigException(w.key("events"), "unknown event '" + e + "' (" + String.join(", ", WebhookConfig.EVENTS) + ")");
        }
      }
      String env = w.requiredString("secret-env", " (the name of the environment variable that holds the signing secret)");
      if (!ENV_NAME.matcher(env).matches()) {
        throw new ConfigException(w.key("secret-env"), "must be the name of an environment variable, got '" + env + "'");
      }
      String secret = w.string(ENV_WEBHOOK_SECRET, null);
      if (secret == null) {
        throw new ConfigException(w.key("secret-env"), "the environment variable " + env
            + " is not set; it must hold the webhook's signing secret (for example: openssl rand -hex 32)");
      }
      out.add(new WebhookConfig(url, new java.util.LinkedHashSet<>(events), env, Secret.of(secret)));
    }
    return out;
  }

  private ClusterConfig cluster(ConfigSection s) {
    int minMembers = (int) s.number("min-members", 1, 1, 1000, "a whole number");
    String encryption = s.string("encryption", "aes-gcm").toLowerCase(Locale.ROOT);
    if (!encryption.equals("aes-gcm") && !encryption.equals("none")) {
      throw new ConfigException(s.key("encryption"), "must be aes-gcm or none, got '" + encryption + "'");
    }
    String k = s.string(ENV_CLUSTER_KEY, null);
    Secret key = k == null ? null : cipherKey(ClusterConfig.KEY_VARIABLE, k);
    List<Secret> old = new ArrayList<>();
    String olds = s.string(ENV_CLUSTER_OLD_KEYS, null);
    if (olds != null) {
      for (String o : olds.split(",")) {
        if (!o.isBlank()) {
          old.add(cipherKey("TOKEN_BROKER_CLUSTER_OLD_KEYS", o.trim()));
        }
      }
    }
    ClusterConfig.EventBusTls tls = null;
    if (s.has("eventbus-tls")) {
      ConfigSection t = s.section("eventbus-tls");
      String cert = t.file("cert-path");
      String certKey = t.file("key-path");
      String trust = t.file("trust-path");
      for (String[] required : new String[][] {{"cert-path", cert}, {"key-path", certKey}, {"trust-path", trust}}) {
        if (required[1] == null) {
          throw new ConfigException(t.key(required[0]), "is required: event-bus TLS needs this node's certificate and key"
              + " and the cluster's CA (PEM files)");
        }
      }
      tls = new ClusterConfig.EventBusTls(cert, certKey, trust);
    }
    return new ClusterConfig(minMembers, encryption.equals("aes-gcm"), key, old, tls);
  }

  private static Secret cipherKey(String name, String value) {
    Secret key = Secret.of(value);
    try {
      dev.tokenbroker.secret.AesKey.id(key);
      return key;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, e.getMessage());
    }
  }

  private Map<String, ProviderSpec> providers(ConfigSection s) {
    Map<String, ProviderSpec> out = new LinkedHashMap<>();
    for (String name : s.names()) {
      if (!PROVIDER_NAME.matcher(name).matches()) {
        throw new ConfigException(s.key(name), "provider names must match [a-z0-9][a-z0-9-]{0,31}");
      }
      out.put(name, provider(name, s.section(name)));
    }
    if (out.isEmpty()) {
      throw new ConfigException("providers", "at least one provider must be configured");
    }
    return out;
  }

  private ProviderSpec provider(String name, ConfigSection s) {
    String presetName = s.string("preset", null);
    Preset preset = null;
    if (presetName != null) {
      preset = Preset.byName(presetName.toLowerCase(Locale.ROOT));
      if (preset == null) {
        throw new ConfigException(s.key("preset"), "unknown preset '" + presetName + "'; known: esignglobal, rightsignature");
      }
    }
    String baseUrl = s.url("base-url");
    if (baseUrl == null && preset != null) {
      baseUrl = preset.defaultBaseUrl();
    }
    String tokenUrl = s.url("token-url");
    if (tokenUrl == null) {
      if (preset == null) {
        throw s.missing("token-url", "is required for a provider without a preset");
      }
      if (baseUrl == null) {
        throw s.missing("base-url", "is required for preset " + preset.configName()
            + " (it differs per data centre), or set token-url");
      }
      tokenUrl = preset.tokenUrl(baseUrl);
    }
    String authorizeUrl = s.url("authorize-url");
    if (authorizeUrl == null && preset != null && baseUrl != null) {
      authorizeUrl = preset.authorizeUrl(baseUrl);
    }
    boolean insecureAllowed = s.bool("allow-insecure-http", false);
    requireHttps(s, s.has("token-url") ? "token-url" : "base-url", tokenUrl, insecureAllowed);
    String apiBaseUrl = s.url("api-base-url");
    if (apiBaseUrl == null && preset != null) {
      apiBaseUrl = preset.apiBaseUrl(baseUrl);
    }
    if (apiBaseUrl != null) {
      requireHttps(s, s.has("api-base-url") ? "api-base-url" : "base-url", apiBaseUrl, insecureAllowed);
      apiBaseUrl = apiBaseUrl(s, apiBaseUrl);
    }
    String revocationUrl = s.url("revocation-url");
    if (revocationUrl != null) {
      requireHttps(s, "revocation-url", revocationUrl, insecureAllowed);
    }
    long proxyTimeout = s.seconds("proxy-timeout-seconds", ProviderSpec.DEFAULT_PROXY_TIMEOUT.getSeconds(), 1, 3600);

    GrantType grant = s.choice("grant", GrantType.class, preset == null ? GrantType.CLIENT_CREDENTIALS : preset.defaultGrant());
    BodyEncoding body = s.choice("body", BodyEncoding.class, preset == null ? BodyEncoding.FORM : preset.body());
    ClientAuth clientAuth = s.choice("client-auth", ClientAuth.class, ClientAuth.BODY);
    String envPrefix = EnvNames.provider(name);
    String clientId = s.requiredString("client-id", "; set it in the file or in " + envPrefix + "_CLIENT_ID");
    String clientSecret = s.requiredString("client-secret", "; set it in the file or in " + envPrefix + "_CLIENT_SECRET");
    String redirectUri = s.url("redirect-uri");
    if (grant == GrantType.AUTHORIZATION_CODE && redirectUri == null) {
      throw s.missing("redirect-uri", "is required with grant authorization_code");
    }
    Map<String, ClientCredentials> accounts = accounts(name, grant, s.section("accounts"));
    long timeout = s.seconds("timeout-seconds", 10, 1, 600);
    boolean rotates = s.bool("rotates-refresh-tokens", preset != null && preset.rotatesRefreshTokens());
    Long refreshLifetime = s.has("refresh-token-lifetime-seconds")
        ? Long.valueOf(s.seconds("refresh-token-lifetime-seconds", 0, 1, MAX_SECONDS))
        : (preset == null ? null : preset.refreshTokenLifetimeSeconds());

    Map<String, String> params = new LinkedHashMap<>();
    ConfigSection names = s.section("authorize-params");
    for (String p : List.of("response_type", "client_id", "redirect_uri", "scope", "state")) {
      params.put(p, names.string(p, p));
    }
    return new ProviderSpec(name, preset == null ? null : preset.configName(), tokenUrl, authorizeUrl, grant,
        body, clientAuth, clientId, Secret.of(clientSecret), s.string("scope", null), redirectUri,
        Duration.ofSeconds(timeout), rotates, refreshLifetime, s.bool("pkce", false), params, accounts,
        apiBaseUrl, Duration.ofSeconds(proxyTimeout), revocationUrl, s.choice("lost-answer", LostAnswer.class, LostAnswer.REPLAY));
  }

  /** The proxy's target: no query or fragment (paths are appended to it), no trailing slash. */
  private static String apiBaseUrl(ConfigSection s, String url) {
    java.net.URI uri = java.net.URI.create(url);
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException(s.key("api-base-url"), "must not have a query or fragment: request paths are appended to it");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * {@code providers.<p>.accounts.<name>}: the accounts of a client_credentials provider besides
   * {@code default}, each with its own client id and secret (or TOKEN_BROKER_<P>_<ACCOUNT>_CLIENT_ID
   * / _CLIENT_SECRET). An authorization_code provider lists none: its accounts exist once authorized.
   */
  private Map<String, ClientCredentials> accounts(String provider, GrantType grant, ConfigSection s) {
    Map<String, ClientCredentials> out = new LinkedHashMap<>();
    for (String account : s.names()) {
      if (grant != GrantType.CLIENT_CREDENTIALS) {
        throw new ConfigException(s.key(account), "only client_credentials providers list accounts; an "
            + grant.name().toLowerCase(Locale.ROOT) + " account exists once it is authorized");
      }
      if (!ACCOUNT_NAME.matcher(account).matches()) {
        throw new ConfigException(s.key(account), "account names must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
      }
      if (account.equals(ProviderSpec.DEFAULT_ACCOUNT)) {
        throw new ConfigException(s.key(account), "the account default uses the provider's own client-id and client-secret");
      }
      ConfigSection one = s.section(account);
      String env = EnvNames.account(provider, account);
      String id = one.requiredString("client-id", "; set it in the file or in " + env + "_CLIENT_ID");
      String secret = one.requiredString("client-secret", "; set it in the file or in " + env + "_CLIENT_SECRET");
      out.put(account, new ClientCredentials(id, Secret.of(secret)));
    }
    return out;
  }

  /** Secrets travel to the token endpoint: https only, unless it is this machine or the config says otherwise. */
  private static void requireHttps(ConfigSection s, String name, String url, boolean insecureAllowed) {
    java.net.URI uri = java.net.URI.create(url);
    if ("https".equalsIgnoreCase(uri.getScheme()) || insecureAllowed) {
      return;
    }
    String host = uri.getHost();
    boolean loopback = host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    if (!loopback) {
      throw new ConfigException(s.key(name), "must use https (client secrets and tokens travel on it); "
          + "set allow-insecure-http: true only for a test server");
    }
  }

  private Optional<SandboxConfig> sandbox(ConfigSection s) {
    if (s.isEmpty()) {
      return Optional.empty();
    }
    if (!s.bool("enabled", true)) {
      s.known("host", "port", "lifetime-seconds", "client-id", "client-secret", "demo-api-key");
      return Optional.empty();
    }
    String demoKey = s.string("demo-api-key", null);
    return Optional.of(new SandboxConfig(
        s.string("host", "127.0.0.1"),
        (int) s.number("port", 8091, 0, 65535, "a port number"),
        s.seconds("lifetime-seconds", 60, 1, MAX_SECONDS),
        s.requiredString("client-id", null),
        Secret.of(s.requiredString("client-secret", null)),
        Secret.ofNullable(demoKey)));
  }
}
