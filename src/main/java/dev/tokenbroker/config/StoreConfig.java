package dev.tokenbroker.config;

import dev.tokenbroker.secret.Secret;
import java.util.List;

/**
 * Where tokens survive restarts. {@code MEMORY} keeps them only in the (clustered) cache;
 * {@code FILE} is an embedded H2 database under {@code path} for one node; {@code POSTGRES} is shared
 * by all nodes. Durable stores encrypt with {@code encryptionKey} (base64 of 32 bytes) unless
 * {@code encryptionKey} is null because the config said {@code encryption: none}.
 */
public record StoreConfig(Type type, String jdbcUrl, String user, Secret password, Secret encryptionKey, List<Secret> oldKeys) {
  public enum Type { MEMORY, FILE, POSTGRES }

  public StoreConfig {
    oldKeys = List.copyOf(oldKeys);
  }

  public static StoreConfig memory() {
    return new StoreConfig(Type.MEMORY, null, null, null, null, List.of());
  }

  public boolean durable() {
    return type != Type.MEMORY;
  }

  @Override
  public String toString() {
    return "StoreConfig[" + type + (jdbcUrl == null ? "" : " " + jdbcUrl) + (encryptionKey == null ? "" : " aes-gcm") + "]";
  }
}
