package dev.tokenbroker.cluster;

import dev.tokenbroker.vertx.ClusterManagers;
import dev.tokenbroker.rotation.KeyOwnership;
import com.hazelcast.core.HazelcastInstance;
import dev.tokenbroker.config.ClusterConfig;
import dev.tokenbroker.onboarding.StateStore;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Clock;

/**
 * What a clustered node shares through Hazelcast, created in order: key ownership (refresh
 * timers), the rotation lease table (with the quorum for {@code cluster.min-members}), the
 * onboarding states and the token map with its node-local copy - after checking that this node's
 * cluster key opens what the cluster seals ({@link ClusterKeyCheck}).
 */
public record ClusterParts(KeyOwnership ownership, RotationLeases leases, StateStore states, TokenStore tokens) {

  /** Starts the parts on a clustered Vert.x; fails clearly when its cluster manager is not Hazelcast's. */
  public static Future<ClusterParts> start(Vertx vertx, Clock clock, ClusterConfig config) {
    ClusterManager cm = ClusterManagers.of(vertx);
    if (!(cm instanceof HazelcastClusterManager hcm)) {
      return Future.failedFuture("token-broker needs the Hazelcast cluster manager, found " + cm.getClass().getName());
    }
    HazelcastInstance hazelcast = hcm.getHazelcastInstance();
    SealedBox box;
    try {
      box = config.box();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return ClusterKeyCheck.run(vertx, hazelcast, box).compose(checked -> PartitionOwnership.start(vertx, hazelcast)).compose(ownership ->
        Quorum.start(vertx, hazelcast, config.minMembers())
            .compose(quorum -> HazelcastRotationLeases.start(vertx, clock, hazelcast, quorum, box))
            .compose(leases -> HazelcastStateStore.start(vertx, hazelcast, box)
                .compose(states -> HazelcastTokenStore.start(vertx, hazelcast, box)
                    .map(tokens -> new ClusterParts(ownership, leases, states, tokens)))));
  }
}
