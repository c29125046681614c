package dev.tokenbroker.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;

/**
 * The cluster manager a clustered Vert.x runs with: the broker needs it for its Hazelcast instance
 * ({@code cluster.ClusterParts}) and for whether the node is still in its cluster ({@code /ready}). Vert.x
 * has no public getter for it (it takes the manager in {@code VertxBuilder.withClusterManager} and
 * keeps it), and the verticles get only the {@code Vertx}, so this is the one place that reads it
 * through Vert.x's internal {@link VertxInternal#clusterManager()}. {@code ClusterManagersTest}
 * fails if that stops returning the manager the Vert.x was built with.
 */
public final class ClusterManagers {
  private ClusterManagers() {}

  /** The cluster manager of {@code vertx}; null when it is not clustered. */
  public static ClusterManager of(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager();
  }
}
