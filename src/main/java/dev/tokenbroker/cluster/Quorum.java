package dev.tokenbroker.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.splitbrainprotection.SplitBrainProtection;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code cluster.min-members}: whether this node may act for the cluster. The lease map's
 * split-brain protection refuses lease operations on a side with too few members; right before
 * a provider call {@link #confirm()} checks that protection again and reaches every other member
 * it knows with a round trip, so a node that was cut off moments ago (before the protection's
 * heartbeat tolerance ran out) still does not call the provider.
 */
public final class Quorum {
  static final String EXECUTOR = "token-broker.quorum";
  private static final long PROBE_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final SplitBrainProtection protection;
  private final int minMembers;

  private Quorum(Vertx vertx, HazelcastInstance hazelcast, SplitBrainProtection protection, int minMembers) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.protection = protection;
    this.minMembers = minMembers;
  }

  /** Checks that the Hazelcast configuration has the protection (see {@link ClusterSetup}); on a worker thread. */
  public static Future<Quorum> start(Vertx vertx, HazelcastInstance hazelcast, int minMembers) {
    if (minMembers <= 1) {
      return Future.succeededFuture(new Quorum(vertx, hazelcast, null, minMembers));
    }
    return vertx.executeBlocking(() -> {
      String configured = hazelcast.getConfig().getMapConfig(MapNames.ROTATIONS).getSplitBrainProtectionName();
      if (!MapNames.MIN_MEMBERS_PROTECTION.equals(configured)) {
        throw new IllegalStateException("cluster.min-members is " + minMembers + " but the Hazelcast configuration does not"
            + " protect the map " + MapNames.ROTATIONS + " (start through dev.tokenbroker.Main, or apply"
            + " ClusterSetup.apply to the Hazelcast Config before the cluster manager starts)");
      }
      return new Quorum(vertx, hazelcast, hazelcast.getSplitBrainProtectionService().getSplitBrainProtection(configured),
          minMembers);
    });
  }

  public int minMembers() {
    return minMembers;
  }

  /** Succeeds when this node sees and reaches at least {@code min-members} members (itself included). */
  public Future<Void> confirm() {
    if (protection == null) {
      return Future.succeededFuture();
    }
    if (!protection.hasMinimumSize()) {
      return Future.failedFuture(missing());
    }
    List<Member> others = hazelcast.getCluster().getMembers().stream().filter(m -> !m.localMember()).toList();
    int needed = minMembers - 1;
    if (others.size() < needed) {
      return Future.failedFuture(missing());
    }
    Promise<Void> promise = Promise.promise();
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long timer = vertx.setTimer(PROBE_TIMEOUT_MS, id -> promise.tryFail(missing()));
    IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
    for (Member member : others) {
      executor.submitToMember(new Ping(), member, new ExecutionCallback<Boolean>() {
        @Override
        public void onResponse(Boolean response) {
          if (answered.incrementAndGet() >= needed && promise.tryComplete()) {
            vertx.cancelTimer(timer);
          }
        }

        @Override
        public void onFailure(Throwable t) {
          if (others.size() - failed.incrementAndGet() < needed && promise.tryFail(missing())) {
            vertx.cancelTimer(timer);
          }
        }
      });
    }
    return promise.future();
  }

  /** The answer on the smaller side of a partition. */
  public BrokerException missing() {
    int seen;
    try {
      seen = hazelcast.getCluster().getMembers().size();
    } catch (RuntimeException leaving) {
      seen = 1;
    }
    return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, "this node reaches too few cluster members to rotate tokens"
        + " (cluster.min-members is " + minMembers + ", it sees " + seen + "): it may be cut off from the rest of the"
        + " cluster; still-valid tokens are served, rotations wait until the cluster is whole", 5L);
  }

  /** The round trip: runs on the other member and answers at once. */
  static final class Ping implements Callable<Boolean>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean call() {
      return Boolean.TRUE;
    }
  }
}
