package dev.tokenbroker.config;

import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.auth.ApiKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.provider.GrantType;
import dev.tokenbroker.provider.BodyEncoding;
import dev.tokenbroker.provider.ClientAuth;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {
  private static Vertx vertx;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    Await.result(vertx.close());
  }

  private static JsonObject base() {
    return TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal("https://openapi.example.com")));
  }

  private static String problem(Consumer<JsonObject> change) {
    JsonObject raw = base();
    change.accept(raw);
    return assertThrows(ConfigException.class, () -> BrokerConfig.parse(raw)).getMessage();
  }

  @Test
  void shippedConfigLoadsWithSecretsFromTheEnvironment() {
    Map<String, String> env = Map.of(
        "TOKEN_BROKER_ESIGNGLOBAL_CLIENT_ID", "id-from-env",
        "TOKEN_BROKER_ESIGNGLOBAL_CLIENT_SECRET", "secret-from-env",
        "TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_ID", "rs-id",
        "TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_SECRET", "rs-secret",
        "TOKEN_BROKER_API_KEY_SHA256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    BrokerConfig cfg = BrokerConfig.parse(Await.result(ConfigLoader.load(vertx, "conf/config.yaml", env)));

    ProviderSpec esg = cfg.providers().get("esignglobal");
    assertEquals("https://openapi-sml.esignglobal.com/esignglobal/v1/oauth2/accessToken", esg.tokenUrl());
    assertEquals(BodyEncoding.MULTIPART, esg.body());
    assertEquals("id-from-env", esg.clientId());
    assertEquals("secret-from-env", esg.clientSecret().reveal());
    assertEquals(Duration.ofSeconds(10), esg.timeout());

    ProviderSpec rs = cfg.providers().get("rightsignature");
    assertEquals("https://api.rightsignature.com/oauth/token", rs.tokenUrl());
    assertEquals("https://api.rightsignature.com/oauth/authorize", rs.authorizeUrl());
    assertEquals(GrantType.AUTHORIZATION_CODE, rs.grant());
    assertEquals(BodyEncoding.FORM, rs.body());
    assertTrue(rs.rotatesRefreshTokens());
    assertEquals("read write", rs.scope());

    assertEquals(2, cfg.http().apiKeys().size(), "one key from the file, one from the environment");
    assertEquals(300, cfg.refresh().skewSeconds());
    assertEquals(8080, cfg.http().port());
  }

  @Test
  void demoConfigEnablesTheSandboxAndItsDemoKey() {
    BrokerConfig cfg = BrokerConfig.parse(Await.result(ConfigLoader.load(vertx, "conf/demo.yaml", Map.of())));
    assertTrue(cfg.sandbox().isPresent());
    assertEquals(60, cfg.sandbox().get().lifetimeSeconds());
    ApiKey demo = cfg.http().apiKeys().stream().filter(k -> k.name().equals("sandbox-demo")).findFirst().orElseThrow();
    assertEquals(KeyAction.ALL, demo.scope().actions(), "the walk-through in docs/http-api.md lists, deletes and onboards with it");
    assertEquals("http://127.0.0.1:8091/esignglobal/v1/oauth2/accessToken", cfg.providers().get("sandbox").tokenUrl());
  }

  @Test
  void systemPropertiesOverrideTheFile() {
    System.setProperty("http.port", "18080");
    try {
      BrokerConfig cfg = BrokerConfig.parse(Await.result(ConfigLoader.load(vertx, "conf/demo.yaml", Map.of())));
      assertEquals(18080, cfg.http().port());
    } finally {
      System.clearProperty("http.port");
    }
  }

  @Test
  void missingFileIsOneClearLine() {
    Throwable t = Await.failure(ConfigLoader.load(vertx, "conf/nope.yaml", Map.of()));
    assertTrue(t.getMessage().startsWith("conf/nope.yaml: cannot read the configuration file"), t.getMessage());
  }

  @Test
  void unknownPresetNamesTheKey() {
    assertEquals("providers.esignglobal.preset: unknown preset 'docusign'; known: esignglobal, rightsignature",
        problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").put("preset", "docusign")));
  }

  @Test
  void esignglobalWithoutBaseUrlIsRefused() {
    String msg = problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").remove("base-url"));
    assertTrue(msg.startsWith("providers.esignglobal.base-url: is required for preset esignglobal"), msg);
  }

  @Test
  void badGrantIsRefused() {
    assertEquals("providers.esignglobal.grant: must be one of client_credentials | authorization_code, got 'password'",
        problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").put("grant", "password")));
  }

  @Test
  void nonNumericSecondsAreRefused() {
    assertEquals("refresh.skew-seconds: must be a whole number of seconds, got 'soon'",
        problem(raw -> raw.getJsonObject("refresh").put("skew-seconds", "soon")));
    assertEquals("providers.esignglobal.timeout-seconds: must be between 1 and 600, got 0",
        problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").put("timeout-seconds", 0)));
  }

  @Test
  void missingClientSecretNamesTheEnvironmentVariable() {
    String msg = problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").remove("client-secret"));
    assertEquals("providers.esignglobal.client-secret: is required; set it in the file or in TOKEN_BROKER_ESIGNGLOBAL_CLIENT_SECRET", msg);
  }

  @Test
  void apiKeysMustBeDigestsNotKeys() {
    String msg = problem(raw -> raw.getJsonObject("http").getJsonArray("api-keys").getJsonObject(0).put("sha256", "my-plain-key"));
    assertEquals("http.api-keys[0].sha256: must be a SHA-256 hex digest (64 hex characters), not the key itself", msg);
    assertFalse(msg.contains("my-plain-key"), "the rejected value is not echoed");
  }

  @Test
  void apiKeyScopesNameTheKeyOfAnUnknownActionProviderOrBadPattern() {
    assertEquals("http.api-keys[0].actions: unknown action 'wirte' (read, refresh, proxy, events, admin)",
        problem(raw -> firstKey(raw).put("actions", new JsonArray().add("read").add("wirte"))));
    assertEquals("http.api-keys[0].providers: unknown provider 'docusign' (esignglobal)",
        problem(raw -> firstKey(raw).put("providers", new JsonArray().add("docusign"))));
    assertEquals("http.api-keys[0].accounts: bad pattern 'acme/*' (1 to 64 of letters, digits, '.', '_', '-' and the wildcards * and ?)",
        problem(raw -> firstKey(raw).put("accounts", new JsonArray().add("acme/*"))));
    assertEquals("http.api-keys[0].actions: must not be empty; leave it out for every action but admin",
        problem(raw -> firstKey(raw).put("actions", new JsonArray())));
    assertEquals("http.api-keys[0].accounts: must be a list of single values, got a section",
        problem(raw -> firstKey(raw).put("accounts", new JsonArray().add(new JsonObject()))));
  }

  @Test
  void apiKeyScopesDefaultToEveryProviderAndAccountAndEveryActionButAdmin() {
    JsonObject raw = base();
    firstKey(raw).put("accounts", new JsonArray().add("acme-*")).put("providers", "esignglobal").remove("actions");
    KeyScope scope = BrokerConfig.parse(raw).http().apiKeys().get(0).scope();
    assertEquals(KeyAction.DEFAULTS, scope.actions());
    assertTrue(scope.covers("esignglobal", "acme-1"));
    assertFalse(scope.covers("esignglobal", "default"));
    assertFalse(scope.covers("other", "acme-1"));
  }

  @Test
  void environmentDigestsGetTheDefaultActionsOrWithTheAdminVariableEveryAction() {
    JsonObject raw = base();
    raw.getJsonObject("http").put(ConfigParser.ENV_API_KEYS, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        .put(ConfigParser.ENV_ADMIN_KEYS, "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7, "
            + "F2CA1BB6C7E907D06DAFE4687E579FCE76B37E4E93B7605022DA52E6CCC26FD2");
    Map<String, KeyScope> scopes = new java.util.LinkedHashMap<>();
    BrokerConfig.parse(raw).http().apiKeys().forEach(k -> scopes.put(k.name(), k.scope()));
    assertEquals(List.of("test", "env-1", "env-admin-1", "env-admin-2"), List.copyOf(scopes.keySet()));
    assertEquals(KeyAction.DEFAULTS, scopes.get("env-1").actions());
    assertEquals(KeyAction.ALL, scopes.get("env-admin-1").actions());
    assertEquals(KeyAction.ALL, scopes.get("env-admin-2").actions());
  }

  @Test
  void aKeyListedTwiceIsRefusedBecauseItWouldHaveTwoScopes() {
    String digest = TestConfigs.broker(new JsonObject()).getJsonObject("http").getJsonArray("api-keys").getJsonObject(0).getString("sha256");
    assertEquals("TOKEN_BROKER_ADMIN_KEY_SHA256: the same key as http.api-keys[0].sha256; list each key once (a key has one scope)",
        problem(raw -> raw.getJsonObject("http").put(ConfigParser.ENV_ADMIN_KEYS, digest.toUpperCase(java.util.Locale.ROOT))));
  }

  private static JsonObject firstKey(JsonObject raw) {
    return raw.getJsonObject("http").getJsonArray("api-keys").getJsonObject(0);
  }

  @Test
  void providerNamesFollowTheContract() {
    String msg = problem(raw -> raw.getJsonObject("providers").put("Bad_Name", TestConfigs.esignglobal("https://x.example.com")));
    assertEquals("providers.Bad_Name: provider names must match [a-z0-9][a-z0-9-]{0,31}", msg);
  }

  @Test
  void authorizationCodeNeedsARedirectUri() {
    String msg = problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").put("grant", "authorization_code"));
    assertEquals("providers.esignglobal.redirect-uri: is required with grant authorization_code", msg);
  }

  @Test
  void genericProviderNeedsATokenUrlAndTakesExplicitDialect() {
    assertEquals("providers.other.token-url: is required for a provider without a preset",
        problem(raw -> raw.getJsonObject("providers").put("other", new JsonObject().put("client-id", "a").put("client-secret", "b"))));
    JsonObject raw = base();
    raw.getJsonObject("providers").put("other", new JsonObject().put("token-url", "https://auth.example.com/oauth/token")
        .put("body", "json").put("client-auth", "basic").put("client-id", "a").put("client-secret", "b"));
    ProviderSpec other = BrokerConfig.parse(raw).providers().get("other");
    assertEquals(BodyEncoding.JSON, other.body());
    assertEquals(ClientAuth.BASIC, other.clientAuth());
    assertEquals(GrantType.CLIENT_CREDENTIALS, other.grant());
  }

  @Test
  void durableStoresNeedAnEncryptionKeyOrAnExplicitNone() {
    String msg = problem(raw -> raw.put("store", new JsonObject().put("type", "file").put("path", "target/x")));
    assertTrue(msg.startsWith("store.encryption: a durable store encrypts tokens: set TOKEN_BROKER_ENCRYPTION_KEY"), msg);
    assertEquals("TOKEN_BROKER_ENCRYPTION_KEY: must be 32 bytes (base64 of 32 random bytes), got 5",
        problem(raw -> raw.put("store", new JsonObject().put("type", "file").put("encryption-key", "aGVsbG8="))));
    assertEquals("store.url: is required with type postgres (postgresql://host:5432/database)",
        problem(raw -> raw.put("store", new JsonObject().put("type", "postgres").put("encryption", "none"))));
    assertEquals("store.type: must be one of memory | file | postgres, got 'redis'",
        problem(raw -> raw.put("store", new JsonObject().put("type", "redis"))));
    JsonObject none = base().put("store", new JsonObject().put("type", "file").put("encryption", "none"));
    assertTrue(BrokerConfig.parse(none).store().durable());
  }

  @Test
  void providerSpecToStringHidesTheSecret() {
    ProviderSpec spec = BrokerConfig.parse(base()).providers().get("esignglobal");
    assertFalse(spec.toString().contains(TestConfigs.CLIENT_SECRET), spec.toString());
  }

  @Test
  void everyShippedConfigurationLoads() {
    Map<String, String> env = Map.of(
        "TOKEN_BROKER_ESIGNGLOBAL_CLIENT_ID", "id", "TOKEN_BROKER_ESIGNGLOBAL_CLIENT_SECRET", "secret",
        "TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_ID", "rs-id", "TOKEN_BROKER_RIGHTSIGNATURE_CLIENT_SECRET", "rs-secret");
    for (String path : java.util.List.of("conf/config.yaml", "conf/demo.yaml", "conf/cluster/node1.yaml",
        "conf/cluster/node2.yaml", "conf/cluster/node3.yaml")) {
      BrokerConfig cfg = BrokerConfig.parse(Await.result(ConfigLoader.load(vertx, path, env)));
      assertFalse(cfg.providers().isEmpty(), path);
      if (path.startsWith("conf/cluster/")) {
        assertEquals(2, cfg.cluster().minMembers(), path);
      }
    }
  }

  @Test
  void aMisspeltKeyIsRefusedNamingTheClosestKnownKey() {
    assertEquals("refresh.skew-second: unknown key; did you mean skew-seconds?",
        problem(raw -> raw.getJsonObject("refresh").put("skew-second", 60)));
    assertEquals("refrsh: unknown key; did you mean refresh?", problem(raw -> raw.put("refrsh", new JsonObject())));
    assertEquals("providers.esignglobal.timeout-secs: unknown key; did you mean timeout-seconds?",
        problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").put("timeout-secs", 5)));
    assertEquals("http.api-keys[0].nmae: unknown key; did you mean name?",
        problem(raw -> raw.getJsonObject("http").getJsonArray("api-keys").getJsonObject(0).put("nmae", "billing")));
    assertEquals("http.idle_timeout_seconds: unknown key; did you mean idle-timeout-seconds?",
        problem(raw -> raw.getJsonObject("http").put("idle_timeout_seconds", 5)));
    assertEquals("store.typ: unknown key; did you mean type?", problem(raw -> raw.put("store", new JsonObject().put("typ", "file"))));
    assertEquals("providers.esignglobal.accounts.acme.client_secret: unknown key; did you mean client-secret?",
        problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal").put("accounts", new JsonObject()
            .put("acme", new JsonObject().put("client-id", "a").put("client_secret", "b")))));
  }

  @Test
  void aMisspeltRequiredKeyIsReportedAsTheMisspellingNotAsMissing() {
    assertEquals("providers.esignglobal.client-secert: unknown key; did you mean client-secret?",
        problem(raw -> {
          JsonObject esg = raw.getJsonObject("providers").getJsonObject("esignglobal");
          esg.put("client-secert", esg.remove("client-secret"));
        }));
    assertEquals("http.api-keys[0].sha265: unknown key; did you mean sha256?",
        problem(raw -> {
          JsonObject key = raw.getJsonObject("http").getJsonArray("api-keys").getJsonObject(0);
          key.put("sha265", key.remove("sha256"));
        }));
    assertEquals("providers.esignglobal.base_url: unknown key; did you mean base-url?",
        problem(raw -> {
          JsonObject esg = raw.getJsonObject("providers").getJsonObject("esignglobal");
          esg.put("base_url", esg.remove("base-url"));
        }));
  }

  @Test
  void aKeyFarFromEveryKnownKeyListsTheKnownOnes() {
    String msg = problem(raw -> raw.getJsonObject("refresh").put("colour", "blue"));
    assertTrue(msg.startsWith("refresh.colour: unknown key; known keys here: default-lifetime-seconds, expiring-warning-seconds, jitter-seconds, "), msg);
    assertFalse(msg.contains("did you mean"), msg);
  }

  @Test
  void keysOfFeaturesThatAreOffAreStillKnown() {
    JsonObject raw = base()
        .put("store", new JsonObject().put("type", "memory").put("path", "data/tokens").put("url", "postgresql://db:5432/x")
            .put("user", "u").put("encryption", "aes-gcm").put("encryption-key", "from-the-environment"))
        .put("sandbox", new JsonObject().put("enabled", false).put("port", 8091).put("client-id", "demo-client"));
    BrokerConfig cfg = BrokerConfig.parse(raw);
    assertFalse(cfg.store().durable());
    assertTrue(cfg.sandbox().isEmpty());
    assertEquals("sandbox.prot: unknown key; did you mean port?",
        problem(r -> r.put("sandbox", new JsonObject().put("enabled", false).put("prot", 8091))));
  }

  @Test
  void unrelatedEnvironmentVariablesAndSystemPropertiesNeverStopStartUp() {
    Map<String, String> env = Map.of("PATH", "/usr/bin", "HOME", "/root", "HTTP_PORT", "1", "TOKEN_BROKER_SOMETHING_ELSE", "x",
        "TOKEN_BROKER_ENCRYPTION_KEY", "unused-with-a-memory-store", "TOKEN_BROKER_STORE_PASSWORD", "unused");
    Map<String, String> properties = Map.of("http.proxyHost", "proxy.example.com", "http.maxConnections", "5",
        "http.auth.digest.validateServer", "true", "vertx.hazelcast.config", "cluster.xml", "refresh.whatever", "x");
    properties.forEach(System::setProperty);
    System.setProperty("http.port", "18081");
    try {
      BrokerConfig cfg = BrokerConfig.parse(Await.result(ConfigLoader.load(vertx, "conf/demo.yaml", env)));
      assertEquals(18081, cfg.http().port(), "the broker's own properties still apply");
    } finally {
      properties.keySet().forEach(System::clearProperty);
      System.clearProperty("http.port");
    }
  }

  @Test
  void accountsAreValidatedAndNeedTheirOwnCredentials() {
    assertEquals("providers.esignglobal.accounts.bad name: account names must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}",
        problem(raw -> accounts(raw).put("bad name", new JsonObject().put("client-id", "a").put("client-secret", "b"))));
    assertEquals("providers.esignglobal.accounts.default: the account default uses the provider's own client-id and client-secret",
        problem(raw -> accounts(raw).put("default", new JsonObject().put("client-id", "a").put("client-secret", "b"))));
    assertEquals("providers.esignglobal.accounts.acme-eu.1.client-secret: is required; set it in the file or in "
        + "TOKEN_BROKER_ESIGNGLOBAL_ACME_EU_1_CLIENT_SECRET",
        problem(raw -> accounts(raw).put("acme-eu.1", new JsonObject().put("client-id", "a"))));
    assertEquals("providers.esignglobal.accounts.acme: only client_credentials providers list accounts; an authorization_code "
        + "account exists once it is authorized",
        problem(raw -> {
          accounts(raw).put("acme", new JsonObject().put("client-id", "a").put("client-secret", "b"));
          raw.getJsonObject("providers").getJsonObject("esignglobal").put("grant", "authorization_code")
              .put("redirect-uri", "https://broker.example.com/cb");
        }));
    JsonObject raw = base();
    accounts(raw).put("acme", new JsonObject().put("client-id", "acme-id").put("client-secret", "acme-secret"));
    ProviderSpec esg = BrokerConfig.parse(raw).providers().get("esignglobal");
    assertEquals("acme-id", esg.forAccount("acme").orElseThrow().clientId());
    assertEquals(TestConfigs.CLIENT_ID, esg.forAccount("default").orElseThrow().clientId());
    assertTrue(esg.forAccount("other").isEmpty());
    assertFalse(esg.toString().contains("acme-secret"), esg.toString());
  }

  private static JsonObject accounts(JsonObject raw) {
    JsonObject esg = raw.getJsonObject("providers").getJsonObject("esignglobal");
    if (!esg.containsKey("accounts")) {
      esg.put("accounts", new JsonObject());
    }
    return esg.getJsonObject("accounts");
  }

  @Test
  void limitsHaveDefaultsAndBounds() {
    HttpConfig.Limits limits = BrokerConfig.parse(base()).http().limits();
    assertEquals(HttpConfig.Limits.defaults(), limits);
    assertEquals(new HttpConfig.Limits(60, 1000, 100, 10_000), limits);
    assertEquals("http.max-connections: must be between 1 and 1000000, got 0",
        problem(raw -> raw.getJsonObject("http").put("max-connections", 0)));
  }

  @Test
  void aRevocationUrlMustUseHttpsLikeTheTokenUrl() {
    String msg = problem(raw -> raw.getJsonObject("providers").getJsonObject("esignglobal")
        .put("revocation-url", "http://auth.example.com/oauth/revoke"));
    assertTrue(msg.startsWith("providers.esignglobal.revocation-url: must use https"), msg);
  }

  private static JsonObject webhook(String url, String... events) {
    JsonObject hook = new JsonObject().put("url", url).put("secret-env", "HOOK_SECRET");
    io.vertx.core.json.JsonArray list = new io.vertx.core.json.JsonArray();
    for (String e : events) {
      list.add(e);
    }
    return hook.put("events", list);
  }

  @Test
  void aWebhookWhoseSecretVariableIsNotSetStopsStartupNamingIt() {
    String msg = problem(raw -> raw.put("webhooks", new io.vertx.core.json.JsonArray()
        .add(webhook("https://ops.example.com/hook", "token.failed"))));
    assertTrue(msg.startsWith("webhooks[0].secret-env: the environment variable HOOK_SECRET is not set"), msg);
  }

  @Test
  void webhookEntriesAreValidated() {
    java.util.function.Function<JsonObject, String> with = hook -> problem(raw -> raw.put("webhooks",
        new io.vertx.core.json.JsonArray().add(hook.put("secret-from-env", "s3cret"))));
    assertTrue(with.apply(webhook("http://ops.example.com/hook", "token.failed")).startsWith("webhooks[0].url: must use https"));
    assertTrue(with.apply(webhook("https://ops.example.com/hook", "token.rotated"))
        .startsWith("webhooks[0].events: unknown event 'token.rotated' (token.failed, token.recovered, token.expiring, account.authorized, account.disconnected)"));
    assertTrue(with.apply(webhook("https://ops.example.com/hook")).startsWith("webhooks[0].events: is required"));
    JsonObject noEnv = webhook("https://ops.example.com/hook", "token.failed");
    noEnv.remove("secret-env");
    assertTrue(with.apply(noEnv).startsWith("webhooks[0].secret-env: is required"), with.apply(noEnv));
    assertTrue(with.apply(webhook("https://ops.example.com/hook", "token.failed").put("evnets", "x"))
        .startsWith("webhooks[0].evnets: unknown key; did you mean events?"));
  }

  @Test
  void aWebhookSecretComesOnlyFromTheVariableItsSecretEnvNames() {
    JsonObject raw = base().put("webhooks", new io.vertx.core.json.JsonArray()
        .add(webhook("http://127.0.0.1:9000/hook", "token.failed", "account.disconnected").put("secret-from-env", "from-the-file")));
    ConfigLoader.webhookSecrets(raw, Map.of("HOOK_SECRET", "from-the-env"));
    WebhookConfig hook = BrokerConfig.parse(raw).webhooks().get(0);
    assertEquals("from-the-env", hook.secret().reveal());
    assertEquals(java.util.Set.of("token.failed", "account.disconnected"), hook.events());
    assertFalse(hook.toString().contains("from-the-env"));

    ConfigLoader.webhookSecrets(raw, Map.of());
    assertThrows(ConfigException.class, () -> BrokerConfig.parse(raw), "a secret written in the file does not count");
  }
}
