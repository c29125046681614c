package dev.tokenbroker.cluster;

import dev.tokenbroker.rotation.KeyOwnership;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.ReplicaMigrationEvent;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A key belongs to the member that owns its Hazelcast partition (the same partition as its
 * entry in the token map). Reading the partition table is local and cheap. Migrations and
 * membership changes are reported so the refresh verticle can re-check its timers.
 */
public final class PartitionOwnership implements KeyOwnership {
  private final HazelcastInstance hazelcast;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final UUID migrationListenerId;
  private final UUID membershipListenerId;

  /**
   * Registers the listeners and forces the partition table to be assigned (Hazelcast assigns it
   * lazily, blocking the first caller), on a worker thread, so later look-ups are local reads.
   */
  public static Future<PartitionOwnership> start(Vertx vertx, HazelcastInstance hazelcast) {
    return vertx.executeBlocking(() -> {
      PartitionOwnership ownership = new PartitionOwnership(hazelcast);
      hazelcast.getPartitionService().getPartition("token-broker").getOwner();
      return ownership;
    });
  }

  private PartitionOwnership(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.migrationListenerId = hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {}

      @Override
      public void migrationFinished(MigrationState state) {
        changed();
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {}

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {
        changed();
      }
    });
    this.membershipListenerId = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        changed();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        changed();
      }
    });
  }

  @Override
  public boolean ownsLocally(TokenKey key) {
    try {
      Partition partition = hazelcast.getPartitionService().getPartition(key.id());
      Member owner = partition.getOwner();
      return owner != null && owner.localMember();
    } catch (RuntimeException notActive) {
      return false; // this member is leaving the cluster: it owns nothing any more
    }
  }

  @Override
  public void onChange(Runnable onChange) {
    listeners.add(onChange);
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }

  @Override
  public void close() {
    try {
      hazelcast.getPartitionService().removeMigrationListener(migrationListenerId);
      hazelcast.getCluster().removeMembershipListener(membershipListenerId);
    } catch (RuntimeException alreadyLeaving) {
      // the instance is shutting down; its listeners go with it
    }
  }
}
