package dev.tokenbroker.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.tokenbroker.onboarding.PendingAuthorization;
import dev.tokenbroker.onboarding.StateStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** States in a Hazelcast map with a TTL; {@code removeAsync} makes each one single-use cluster-wide. */
public final class HazelcastStateStore implements StateStore {
  public static final String MAP_NAME = "token-broker.oauth-states";

  private final Vertx vertx;
  private final IMap<String, String> map;

  private HazelcastStateStore(Vertx vertx, IMap<String, String> map) {
    this.vertx = vertx;
    this.map = map;
  }

  public static Future<HazelcastStateStore> start(Vertx vertx, HazelcastInstance hazelcast) {
    return vertx.executeBlocking(() -> new HazelcastStateStore(vertx, hazelcast.getMap(MAP_NAME)));
  }

  @Override
  public Future<Void> put(String stateDigest, PendingAuthorization pending, Duration ttl) {
    return Future.fromCompletionStage(map.setAsync(stateDigest, pending.encode(), ttl.toMillis(), TimeUnit.MILLISECONDS),
        vertx.getOrCreateContext());
  }

  @Override
  public Future<PendingAuthorization> take(String stateDigest) {
    return Future.fromCompletionStage(map.removeAsync(stateDigest), vertx.getOrCreateContext())
        .map(text -> text == null ? null : PendingAuthorization.decode(text));
  }
}
