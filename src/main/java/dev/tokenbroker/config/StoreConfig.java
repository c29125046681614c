package dev.tokenbroker.config;

import dev.tokenbroker.secret.Secret;
import java.util.List;

/**
 * Where tokens survive restarts. {@code MEMORY} keeps them only in the (clustered) cache;
 * {@code FILE} is an embedded H2 database under {@code path} for one node; {@code POSTGRES} is shared
 * by all nodes. Durable stores encrypt with {@code encryptionKey} (base64 of 32 bytes) unless
 * {@code encryptionKey} is null because the config said {@code encryption: none}.
 */
public record StoreConfig(Type type, String jdbcUrl, String user, Secret password, Secret encryptionKey, List<Secret> oldKeys,
                          Limits limits) {
  public enum Type { MEMORY, FILE, POSTGRES }

  /**
   * Connections and time limits of a durable store. {@code poolSize}, {@code connectTimeoutMs} and
   * {@code idleTimeoutMs} are the PostgreSQL pool's; {@code queryTimeoutMs} bounds every statement of
   * either store (the connection is discarded when it runs out).
   */
  public record Limits(int poolSize, long connectTimeoutMs, long idleTimeoutMs, long queryTimeoutMs) {
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final long DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
    public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
    public static final long DEFAULT_QUERY_TIMEOUT_SECONDS = 5;

    public static Limits defaults() {
      return new Limits(DEFAULT_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000, DEFAULT_IDLE_TIMEOUT_SECONDS * 1000,
          DEFAULT_QUERY_TIMEOUT_SECONDS * 1000);
    }
  }

  public StoreConfig {
    oldKeys = List.copyOf(oldKeys);
    limits = limits == null ? Limits.defaults() : limits;
  }

  public static StoreConfig memory() {
    return new StoreConfig(Type.MEMORY, null, null, null, null, List.of(), Limits.defaults());
  }

  public boolean durable() {
    return type != Type.MEMORY;
  }

  @Override
  public String toString() {
    return "StoreConfig[" + type + (jdbcUrl == null ? "" : " " + jdbcUrl) + (encryptionKey == null ? "" : " aes-gcm") + "]";
  }
}
