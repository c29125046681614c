package dev.tokenbroker.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.tokenbroker.config.ClusterConfig;
import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Makes sure this node's cluster key opens what the running cluster seals, before the node
 * serves anything: a known text sealed by the first node sits in {@value #MAP_NAME}; a node that
 * cannot open it stops with an error naming {@code TOKEN_BROKER_CLUSTER_KEY}, and the others go
 * on. A node whose current key differs but which opens the check with one of its old keys seals
 * it again with its current key (key rotation).
 */
final class ClusterKeyCheck {
  static final String MAP_NAME = MapNames.CLUSTER_KEY;
  private static final Log LOG = Log.of(ClusterKeyCheck.class);
  private static final String ENTRY = "check";
  private static final String TEXT = "token-broker cluster key check";
  private static final String CONTEXT = MAP_NAME + "/" + ENTRY;

  private ClusterKeyCheck() {}

  static Future<Void> run(Vertx vertx, HazelcastInstance hazelcast, SealedBox box) {
    return vertx.executeBlocking(() -> {
      IMap<String, String> map = hazelcast.getMap(MAP_NAME);
      String mine = box.seal(CONTEXT, TEXT);
      String stored = map.putIfAbsent(ENTRY, mine);
      if (stored == null) {
        return null;
      }
      String opened;
      try {
        opened = box.open(CONTEXT, stored);
      } catch (SealedBox.UnreadableException e) {
        opened = null;
      }
      if (!TEXT.equals(opened)) {
        throw new IllegalStateException(ClusterConfig.KEY_VARIABLE + " does not match the running cluster's key"
            + (box.encrypts() ? "" : " (this node has cluster.encryption: none, the cluster encrypts)")
            + ": this node cannot read the cluster's tokens and stops before serving; give it the key the other"
            + " nodes use (or keep the cluster's key in TOKEN_BROKER_CLUSTER_OLD_KEYS while rotating)");
      }
      if (!keyId(stored).equals(keyId(mine)) && map.replace(ENTRY, stored, mine)) {
        LOG.info("Cluster key check sealed again with this node's current key");
      }
      return null;
    });
  }

  private static String keyId(String sealed) {
    int dot = sealed.indexOf('.');
    return dot < 0 ? "" : sealed.substring(0, dot);
  }
}
