package dev.tokenbroker.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the configuration with Vert.x Config: the YAML (or JSON) file, then the environment,
 * then system properties, each overriding the one before. From the environment only the
 * broker's own variables are taken: {@code TOKEN_BROKER_<PROVIDER>_CLIENT_ID},
 * {@code TOKEN_BROKER_<PROVIDER>_CLIENT_SECRET}, the same with {@code _<ACCOUNT>} after the
 * provider for the accounts the file lists, {@code TOKEN_BROKER_API_KEY_SHA256},
 * {@code TOKEN_BROKER_ADMIN_KEY_SHA256},
 * {@code TOKEN_BROKER_STORE_PASSWORD}, {@code TOKEN_BROKER_ENCRYPTION_KEY} and
 * {@code TOKEN_BROKER_ENCRYPTION_OLD_KEYS}, {@code TOKEN_BROKER_CLUSTER_KEY} and
 * {@code TOKEN_BROKER_CLUSTER_OLD_KEYS}.
 * System properties are read hierarchically ({@code -Dhttp.port=8081}) for the broker's
 * top-level sections only, and only for keys the broker knows: the JVM's own properties that
 * share a prefix ({@code -Dhttp.proxyHost}) are left out, never reported as misspelt keys.
 */
public final class ConfigLoader {
  private static final String[] SECTIONS = {"http", "refresh", "store", "providers", "sandbox", "bus", "cluster"};

  private ConfigLoader() {}

  /** Loads and merges the raw configuration; validation is {@link BrokerConfig#parse}. */
  public static Future<JsonObject> load(Vertx vertx, String path, Map<String, String> env) {
    ConfigStoreOptions file = new ConfigStoreOptions()
        .setType("file")
        .setFormat(isYaml(path) ? "yaml" : "json")
        .setOptional(false)
        .setConfig(new JsonObject().put("path", path));
    ConfigStoreOptions sys = new ConfigStoreOptions()
        .setType("sys")
        .setConfig(new JsonObject().put("hierarchical", true).put("cache", false));
    ConfigRetriever fileRetriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setScanPeriod(-1).addStore(file));
    ConfigRetriever sysRetriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setScanPeriod(-1).addStore(sys));
    return fileRetriever.getConfig()
        .recover(t -> Future.failedFuture(new ConfigException(path, "cannot read the configuration file: " + firstLine(t))))
        .compose(fromFile -> sysRetriever.getConfig().map(fromSys -> {
          JsonObject fileAndEnv = fromFile.copy();
          fileAndEnv.mergeIn(environmentOverlay(fileAndEnv, env), true);
          webhookSecrets(fileAndEnv, env);
          JsonObject merged = fileAndEnv.copy();
          merged.mergeIn(onlySections(fromSys), true);
          return withoutForeignProperties(merged, fileAndEnv);
        }))
        .onComplete(x -> {
          fileRetriever.close();
          sysRetriever.close();
        });
  }

  /** The broker's environment variables as configuration, for the providers the file names. */
  static JsonObject environmentOverlay(JsonObject config, Map<String, String> env) {
    JsonObject overlay = new JsonObject();
    JsonObject providers = config.getValue("providers") instanceof JsonObject p ? p : new JsonObject();
    JsonObject providerOverlay = new JsonObject();
    for (String name : providers.fieldNames()) {
      String prefix = EnvNames.provider(name);
      JsonObject one = credentials(env, prefix);
      JsonObject accounts = providers.getValue(name) instanceof JsonObject p
          && p.getValue("accounts") instanceof JsonObject a ? a : new JsonObject();
      JsonObject accountOverlay = new JsonObject();
      for (String account : accounts.fieldNames()) {
        JsonObject credentials = credentials(env, EnvNames.account(name, account));
        if (!credentials.isEmpty()) {
          accountOverlay.put(account, credentials);
        }
      }
      if (!accountOverlay.isEmpty()) {
        one.put("accounts", accountOverlay);
      }
      if (!one.isEmpty()) {
        providerOverlay.put(name, one);
      }
    }
    if (!providerOverlay.isEmpty()) {
      overlay.put("providers", providerOverlay);
    }
    JsonObject store = new JsonObject();
    putIfSet(store, "password", env.get("TOKEN_BROKER_STORE_PASSWORD"));
    putIfSet(store, ConfigParser.ENV_ENCRYPTION_KEY, env.get("TOKEN_BROKER_ENCRYPTION_KEY"));
    putIfSet(store, ConfigParser.ENV_OLD_KEYS, env.get("TOKEN_BROKER_ENCRYPTION_OLD_KEYS"));
    if (!store.isEmpty()) {
      overlay.put("store", store);
    }
    JsonObject cluster = new JsonObject();
    putIfSet(cluster, ConfigParser.ENV_CLUSTER_KEY, env.get(ClusterConfig.KEY_VARIABLE));
    putIfSet(cluster, ConfigParser.ENV_CLUSTER_OLD_KEYS, env.get("TOKEN_BROKER_CLUSTER_OLD_KEYS"));
    if (!cluster.isEmpty()) {
      overlay.put("cluster", cluster);
    }
    JsonObject http = new JsonObject();
    putIfSet(http, ConfigParser.ENV_API_KEYS, env.get("TOKEN_BROKER_API_KEY_SHA256"));
    putIfSet(http, ConfigParser.ENV_ADMIN_KEYS, env.get("TOKEN_BROKER_ADMIN_KEY_SHA256"));
    if (!http.isEmpty()) {
      overlay.put("http", http);
    }
    return overlay;
  }

  /** Each webhook's secret from the environment variable its {@code secret-env} names (when set). */
  static void webhookSecrets(JsonObject config, Map<String, String> env) {
    if (!(config.getValue("webhooks") instanceof io.vertx.core.json.JsonArray hooks)) {
      return;
    }
    for (Object hook : hooks) {
      if (hook instanceof JsonObject w && w.getValue("secret-env") instanceof String name) {
        w.remove(ConfigParser.ENV_WEBHOOK_SECRET); // only the environment may supply it
        putIfSet(w, ConfigParser.ENV_WEBHOOK_SECRET, env.get(name));
      }
    }
  }

  private static JsonObject credentials(Map<String, String> env, String prefix) {
    JsonObject out = new JsonObject();
    putIfSet(out, "client-id", env.get(prefix + "_CLIENT_ID"));
    putIfSet(out, "client-secret", env.get(prefix + "_CLIENT_SECRET"));
    return out;
  }

  /**
   * Drops the keys the broker does not know that only system properties brought: the JVM and
   * other libraries have properties under the same prefixes ({@code http.proxyHost},
   * {@code http.maxConnections}). A key the file (or the environment) has too stays, so that
   * parsing reports the misspelling.
   */
  static JsonObject withoutForeignProperties(JsonObject merged, JsonObject fileAndEnv) {
    for (ConfigSection.UnknownKey unknown : ConfigParser.unknownKeys(merged)) {
      List<String> path = unknown.segments();
      if (path != null && !contains(fileAndEnv, path)) {
        remove(merged, path);
      }
    }
    return merged;
  }

  private static boolean contains(JsonObject json, List<String> path) {
    Object at = json;
    for (String segment : path) {
      if (!(at instanceof JsonObject obj) || !obj.containsKey(segment)) {
        return false;
      }
      at = obj.getValue(segment);
    }
    return true;
  }

  private static void remove(JsonObject json, List<String> path) {
    JsonObject at = json;
    for (String segment : path.subList(0, path.size() - 1)) {
      if (!(at.getValue(segment) instanceof JsonObject next)) {
        return;
      }
      at = next;
    }
    at.remove(path.get(path.size() - 1));
  }

  private static void putIfSet(JsonObject target, String key, String value) {
    if (value != null && !value.isBlank()) {
      target.put(key, value);
    }
  }

  private static JsonObject onlySections(JsonObject sys) {
    JsonObject out = new JsonObject();
    for (String s : SECTIONS) {
      if (sys.getValue(s) instanceof JsonObject section) {
        out.put(s, section);
      }
    }
    return out;
  }

  private static boolean isYaml(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(".yaml") || p.endsWith(".yml");
  }

  private static String firstLine(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }
}
