package dev.tokenbroker.support;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import dev.tokenbroker.cluster.ClusterSetup;
import io.vertx.core.Vertx;
import dev.tokenbroker.vertx.ClusterManagers;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Real Hazelcast clusters in one JVM: unique name, loopback TCP-IP members, no multicast. */
public final class ClusterSupport {
  private static final int BASE_PORT = 5801;

  private ClusterSupport() {}

  public static String uniqueName() {
    return "tb-test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static Config hazelcastConfig(String clusterName, int members) {
    return hazelcastConfig(clusterName, members, 1);
  }

  /** The configuration a node gets from the broker's Main: with the broker's additions for {@code cluster.min-members}. */
  public static Config hazelcastConfig(String clusterName, int members, int minMembers) {
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(BASE_PORT).setPortAutoIncrement(true).setPortCount(members + 20);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int i = 0; i < members + 3; i++) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + (BASE_PORT + i));
    }
    // the maps Vert.x needs
    config.getMultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(com.hazelcast.config.MultiMapConfig.ValueCollectionType.SET);
    config.getMapConfig("__vertx.haInfo").setBackupCount(1);
    config.getMapConfig("__vertx.nodeInfo").setBackupCount(1);
    return ClusterSetup.apply(config, minMembers);
  }

  /** The Hazelcast member under a clustered Vert.x instance. */
  public static HazelcastInstance hazelcast(Vertx vertx) {
    return ((HazelcastClusterManager) ClusterManagers.of(vertx)).getHazelcastInstance();
  }

  /** Starts {@code count} clustered Vert.x instances, one after another, all joined. */
  public static List<Vertx> startNodes(String clusterName, int count) {
    return startNodes(clusterName, count, 1);
  }

  /** Starts {@code count} clustered Vert.x instances configured for {@code cluster.min-members: minMembers}. */
  public static List<Vertx> startNodes(String clusterName, int count, int minMembers) {
    List<Vertx> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      nodes.add(member(clusterName, count, minMembers));
    }
    awaitMembers(nodes, count);
    return nodes;
  }

  /** One clustered Vert.x instance of a cluster of {@code members}, configured for {@code cluster.min-members: minMembers}. */
  public static Vertx member(String clusterName, int members, int minMembers) {
    HazelcastClusterManager cm = new HazelcastClusterManager(hazelcastConfig(clusterName, members, minMembers));
    return Await.result(Vertx.builder().withClusterManager(cm).buildClustered(), java.time.Duration.ofSeconds(60));
  }

  /** Waits until every one of {@code nodes} sees {@code count} members. */
  public static void awaitMembers(List<Vertx> nodes, int count) {
    Await.until("all members joined", java.time.Duration.ofSeconds(30), () -> nodes.stream().allMatch(v ->
        ClusterManagers.of(v).getNodes().size() == count));
  }
}
