package dev.tokenbroker.vertx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.ClusterSupport;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterManagers} finds the manager a Vert.x was built with (Vert.x's internal getter),
 * and that manager says whether the node is in its cluster, which {@code /ready} reports.
 */
class ClusterManagersTest {

  @Test
  void aClusteredVertxHasTheManagerItWasBuiltWithActiveUntilItCloses() {
    HazelcastClusterManager manager = new HazelcastClusterManager(ClusterSupport.hazelcastConfig(ClusterSupport.uniqueName(), 1));
    Vertx vertx = Await.result(Vertx.builder().withClusterManager(manager).buildClustered(), Duration.ofSeconds(60));
    try {
      assertSame(manager, ClusterManagers.of(vertx));
      assertTrue(ClusterManagers.of(vertx).isActive());
    } finally {
      Await.result(vertx.close(), Duration.ofSeconds(60));
    }
    assertFalse(manager.isActive(), "a node that left its cluster is not ready");
  }

  @Test
  void aVertxThatIsNotClusteredHasNone() {
    Vertx vertx = Vertx.vertx();
    try {
      assertNull(ClusterManagers.of(vertx));
    } finally {
      Await.result(vertx.close());
    }
  }
}
