package dev.tokenbroker.config;

import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.secret.Secret;
import java.util.List;

/**
 * The {@code cluster:} section (used with {@code -cluster}).
 *
 * @param minMembers {@code min-members}: a node rotates tokens only while it sees at least this many
 *     members, itself included (1: always; the default). Use a majority: 2 for three nodes, 3 for five.
 * @param encrypted false only with {@code encryption: none}
 * @param key {@code TOKEN_BROKER_CLUSTER_KEY} (base64 of 32 bytes), or null when not set
 * @param oldKeys {@code TOKEN_BROKER_CLUSTER_OLD_KEYS}: earlier keys, still read
 * @param eventBusTls {@code eventbus-tls}: TLS with required client certificates between nodes, or null
 */
public record ClusterConfig(int minMembers, boolean encrypted, Secret key, List<Secret> oldKeys, EventBusTls eventBusTls) {
  public static final String KEY_VARIABLE = "TOKEN_BROKER_CLUSTER_KEY";

  /** PEM files: this node's certificate and key, and the cluster's CA that every peer's certificate must chain to. */
  public record EventBusTls(String certPath, String keyPath, String trustPath) {}

  public ClusterConfig {
    oldKeys = List.copyOf(oldKeys);
  }

  public static ClusterConfig standalone() {
    return new ClusterConfig(1, false, null, List.of(), null);
  }

  /**
   * What seals the values this node puts into the cluster's maps. Fails, naming
   * {@value #KEY_VARIABLE}, when encryption is on and the key is missing.
   */
  public SealedBox box() {
    if (!encrypted) {
      return SealedBox.NONE;
    }
    if (key == null) {
      throw new ConfigException(KEY_VARIABLE, "is required with -cluster: every value shared through Hazelcast is"
          + " encrypted with it (base64 of 32 random bytes: openssl rand -base64 32; the same on every node), or set"
          + " cluster.encryption: none explicitly");
    }
    return SealedBox.aesGcm(key, oldKeys);
  }

  @Override
  public String toString() {
    return "ClusterConfig[min-members " + minMembers + (encrypted ? ", aes-gcm" : ", no encryption")
        + (eventBusTls == null ? "" : ", event-bus TLS") + "]";
  }
}
