package dev.tokenbroker.cluster;

/**
 * The names of the Hazelcast structures the broker uses, in one place, so that the classes that
 * configure them ({@link ClusterSetup}, {@link Quorum}) and the classes that use them need not
 * know each other.
 */
final class MapNames {
  /** The shared token map: sealed tokens by key id ({@link HazelcastTokenStore}). */
  static final String TOKENS = "token-broker.tokens";
  /** The rotation lease table ({@link HazelcastRotationLeases}). */
  static final String ROTATIONS = "token-broker.rotations";
  /** Single-use OAuth states of authorizations in progress ({@link HazelcastStateStore}). */
  static final String OAUTH_STATES = "token-broker.oauth-states";
  /** The entry that proves a joining node has the cluster key ({@link ClusterKeyCheck}). */
  static final String CLUSTER_KEY = "token-broker.cluster-key";
  /** The split-brain protection that guards {@link #ROTATIONS} with {@code cluster.min-members}. */
  static final String MIN_MEMBERS_PROTECTION = "token-broker.min-members";

  private MapNames() {}
}
