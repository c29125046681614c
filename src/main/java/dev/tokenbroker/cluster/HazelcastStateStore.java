package dev.tokenbroker.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.tokenbroker.onboarding.PendingAuthorization;
import dev.tokenbroker.onboarding.StateStore;
import dev.tokenbroker.secret.SealedBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * States in a Hazelcast map with a TTL; {@code removeAsync} makes each one single-use cluster-wide.
 * Values (they hold PKCE verifiers) are sealed with the cluster key, bound to their map key.
 */
public final class HazelcastStateStore implements StateStore {
  public static final String MAP_NAME = MapNames.OAUTH_STATES;

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final SealedBox box;

  private HazelcastStateStore(Vertx vertx, IMap<String, String> map, SealedBox box) {
    this.vertx = vertx;
    this.map = map;
    this.box = box;
  }

  public static Future<HazelcastStateStore> start(Vertx vertx, HazelcastInstance hazelcast, SealedBox box) {
    return vertx.executeBlocking(() -> new HazelcastStateStore(vertx, hazelcast.getMap(MAP_NAME), box));
  }

  @Override
  public Future<Void> put(String stateDigest, PendingAuthorization pending, Duration ttl) {
    return Future.fromCompletionStage(map.setAsync(stateDigest, box.seal(context(stateDigest), pending.encode()), ttl.toMillis(), TimeUnit.MILLISECONDS),
        vertx.getOrCreateContext());
  }

  @Override
  public Future<PendingAuthorization> take(String stateDigest) {
    return Future.fromCompletionStage(map.removeAsync(stateDigest), vertx.getOrCreateContext())
        .map(text -> text == null ? null : PendingAuthorization.decode(box.open(context(stateDigest), text)));
  }

  private static String context(String stateDigest) {
    return MAP_NAME + "/" + stateDigest;
  }
}
