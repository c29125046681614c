package dev.tokenbroker.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;

/**
 * What the broker needs from the Hazelcast configuration, applied to whatever {@code cluster.xml}
 * the operator gave, before the instance starts (Hazelcast cannot add these to a running member):
 * <ul>
 *   <li>the token map merges by {@link HigherVersionMergePolicy}: after a partition heals, the
 *       higher token version wins and an older one never overwrites a newer one;</li>
 *   <li>merges run soon after healing: {@code hazelcast.merge.first.run.delay.seconds} and
 *       {@code hazelcast.merge.next.run.delay.seconds} default to {@value #MERGE_DELAY_SECONDS} s here
 *       (Hazelcast's own defaults are 300 s and 120 s) unless the file sets them;</li>
 *   <li>with {@code cluster.min-members} N above one, the lease map is under split-brain protection
 *       named {@value #PROTECTION_NAME}: lease operations need N members heard from recently
 *       (within three heartbeat intervals, at least three seconds, less than
 *       {@code hazelcast.max.no.heartbeat.seconds}).</li>
 * </ul>
 */
public final class ClusterSetup {
  public static final String PROTECTION_NAME = MapNames.MIN_MEMBERS_PROTECTION;
  static final int MERGE_DELAY_SECONDS = 10;
  private static final String HEARTBEAT_INTERVAL = "hazelcast.heartbeat.interval.seconds";
  private static final int DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 5;
  private static final String MAX_NO_HEARTBEAT = "hazelcast.max.no.heartbeat.seconds";
  private static final int DEFAULT_MAX_NO_HEARTBEAT_SECONDS = 60;

  private ClusterSetup() {}

  /**
   * The cluster manager for {@code -cluster}: Hazelcast configured from
   * {@code -Dvertx.hazelcast.config=FILE}, else {@code ./cluster.xml}, else the copy in the jar
   * (the file used is printed), with {@link #apply} added. IllegalArgumentException, naming the
   * file, when it is missing or invalid.
   */
  public static ClusterManager clusterManager(int minMembers) {
    return new HazelcastClusterManager(apply(load(), minMembers));
  }

  private static Config load() {
    String prop = System.getProperty("vertx.hazelcast.config");
    File file = prop != null ? new File(prop) : new File("cluster.xml");
    if (prop != null && !file.isFile()) {
      throw new IllegalArgumentException("vertx.hazelcast.config: file not found: " + prop);
    }
    if (file.isFile()) {
      try (InputStream in = new FileInputStream(file)) {
        Config config = new XmlConfigBuilder(in).build();
        System.out.println("token-broker: cluster configuration from " + file.getAbsolutePath());
        return config;
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cluster configuration " + file + " is invalid: " + e.getMessage());
      }
    }
    System.out.println("token-broker: no cluster.xml in the working directory; using the one packaged in the jar");
    try (InputStream in = ClusterSetup.class.getResourceAsStream("/cluster.xml")) {
      return new XmlConfigBuilder(in).build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("packaged cluster.xml unreadable: " + e.getMessage());
    }
  }

  public static Config apply(Config config, int minMembers) {
    MapConfig tokens = config.getMapConfig(MapNames.TOKENS);
    tokens.getMergePolicyConfig().setPolicy(HigherVersionMergePolicy.class.getName());
    defaultProperty(config, "hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    defaultProperty(config, "hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    if (minMembers > 1) {
      SplitBrainProtectionConfig protection = SplitBrainProtectionConfig
          .newRecentlyActiveSplitBrainProtectionConfigBuilder(PROTECTION_NAME, minMembers, toleranceMillis(config))
          .enabled(true)
          .build();
      config.addSplitBrainProtectionConfig(protection);
      config.getMapConfig(MapNames.ROTATIONS).setSplitBrainProtectionName(PROTECTION_NAME);
    }
    return config;
  }

  /**
   * Three heartbeat intervals, at least three seconds: a member silent for longer does not count.
   * Kept below {@code hazelcast.max.no.heartbeat.seconds} (Hazelcast requires it).
   */
  static int toleranceMillis(Config config) {
    int interval = intProperty(config, HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL_SECONDS);
    int maxSilence = intProperty(config, MAX_NO_HEARTBEAT, DEFAULT_MAX_NO_HEARTBEAT_SECONDS);
    return Math.min(Math.max(3000, 3 * interval * 1000), maxSilence * 1000 - 1);
  }

  private static int intProperty(Config config, String name, int def) {
    String value = property(config, name);
    if (value != null) {
      try {
        return Integer.parseInt(value.trim());
      } catch (NumberFormatException ignored) {
        // Hazelcast itself rejects it at start
      }
    }
    return def;
  }

  private static void defaultProperty(Config config, String name, String value) {
    if (property(config, name) == null) {
      config.setProperty(name, value);
    }
  }

  private static String property(Config config, String name) {
    String value = config.getProperty(name);
    return value != null ? value : System.getProperty(name);
  }
}
