package dev.tokenbroker.config;

/**
 * The {@code cluster:} section.
 *
 * @param minMembers {@code min-members}: a node rotates tokens only while it sees at least this many
 *     members, itself included (1: always; the default). Use a majority: 2 for three nodes, 3 for five.
 */
public record ClusterConfig(int minMembers) {
  public static ClusterConfig standalone() {
    return new ClusterConfig(1);
  }
}
