package dev.tokenbroker.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.token.RotationGate;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The cluster-wide gate: a lease entry per key in a Hazelcast map, taken by an entry processor
 * (a compare-and-set run where the entry lives) with a TTL, so a node that dies mid-rotation
 * blocks the others for at most the lease TTL. After a failure the entry becomes a backoff
 * record that every node honours. Waiting nodes are woken by the map's entry events, not by
 * polling. Not the Vert.x cluster lock: that one is re-entrant per thread.
 */
public final class HazelcastRotationGate implements RotationGate {
  public static final String MAP_NAME = "token-broker.rotations";

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final String owner = UUID.randomUUID().toString();
  private final Map<String, List<Promise<Void>>> waiters = new ConcurrentHashMap<>();
  private final UUID listenerId;

  private HazelcastRotationGate(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.map = hazelcast.getMap(MAP_NAME);
    this.listenerId = map.addEntryListener(new Wakeup(), false);
  }

  /** Creates the map proxy and its listener (both cluster operations) on a worker thread. */
  public static Future<HazelcastRotationGate> start(Vertx vertx, HazelcastInstance hazelcast) {
    return vertx.executeBlocking(() -> new HazelcastRotationGate(vertx, hazelcast));
  }

  @Override
  public Future<Permit> enter(TokenKey key, Instant now, Duration leaseTtl) {
    return Future.fromCompletionStage(map.submitToKey(key.id(), new Enter(owner, now.toEpochMilli(), leaseTtl.toMillis())),
        vertx.getOrCreateContext()).map(HazelcastRotationGate::permit);
  }

  @Override
  public Future<Void> release(TokenKey key) {
    return Future.fromCompletionStage(map.removeAsync(key.id()), vertx.getOrCreateContext()).mapEmpty();
  }

  @Override
  public Future<Void> backOff(TokenKey key, int failures, Instant retryAt, BrokerException error, Instant now) {
    String record = new JsonObject().put("state", "backoff").put("failures", failures)
        .put("until", retryAt.toEpochMilli()).put("code", error.code().name()).put("description", error.getMessage())
        .encode();
    // kept past the wait so the next attempt knows how many failures came before
    long ttl = Math.max(1, Duration.between(now, retryAt).toMillis()) + TimeUnit.MINUTES.toMillis(10);
    return Future.fromCompletionStage(map.setAsync(key.id(), record, ttl, TimeUnit.MILLISECONDS), vertx.getOrCreateContext());
  }

  @Override
  public Future<Void> awaitRelease(TokenKey key, Duration max) {
    Promise<Void> promise = Promise.promise();
    List<Promise<Void>> list = waiters.computeIfAbsent(key.id(), k -> new CopyOnWriteArrayList<>());
    list.add(promise);
    long timer = vertx.setTimer(Math.max(1, max.toMillis()), id -> promise.tryComplete());
    promise.future().onComplete(x -> {
      vertx.cancelTimer(timer);
      list.remove(promise);
    });
    // the holder may have finished before we registered
    Future.fromCompletionStage(map.getAsync(key.id()), vertx.getOrCreateContext()).onComplete(ar -> {
      if (ar.failed() || ar.result() == null || !ar.result().contains("\"rotating\"")) {
        promise.tryComplete();
      }
    });
    return promise.future();
  }

  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      try {
        map.removeEntryListener(listenerId);
      } catch (RuntimeException alreadyLeaving) {
        // the instance is shutting down
      }
      return null;
    });
  }

  private void wake(String id) {
    List<Promise<Void>> list = waiters.get(id);
    if (list != null) {
      list.forEach(Promise::tryComplete);
    }
  }

  private static Permit permit(String result) {
    JsonObject r = new JsonObject(result);
    switch (r.getString("kind")) {
      case "granted":
        return Permit.granted(r.getInteger("failures", 0));
      case "busy":
        return Permit.busy();
      default:
        BrokerException error = new BrokerException(ErrorCode.valueOf(r.getString("code")), r.getString("description"));
        return Permit.backingOff(r.getInteger("failures", 0), Instant.ofEpochMilli(r.getLong("until")), error);
    }
  }

  private final class Wakeup implements EntryRemovedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryExpiredListener<String, String> {
    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      wake(event.getKey());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      wake(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      wake(event.getKey());
    }
  }

  /** Takes the lease if the key is free or its backoff is over; runs on the key's owner. */
  static final class Enter implements EntryProcessor<String, String, String> {
    private static final long serialVersionUID = 1L;
    private final String owner;
    private final long now;
    private final long ttlMillis;

    Enter(String owner, long now, long ttlMillis) {
      this.owner = owner;
      this.now = now;
      this.ttlMillis = ttlMillis;
    }

    @Override
    public String process(Map.Entry<String, String> entry) {
      String current = entry.getValue();
      int failures = 0;
      if (current != null) {
        JsonObject state = new JsonObject(current);
        if ("rotating".equals(state.getString("state"))) {
          return new JsonObject().put("kind", "busy").encode();
        }
        failures = state.getInteger("failures", 0);
        if (state.getLong("until", 0L) > now) {
          return state.copy().put("kind", "backoff").encode();
        }
      }
      String lease = new JsonObject().put("state", "rotating").put("owner", owner).put("since", now)
          .put("failures", failures).encode();
      ((ExtendedMapEntry<String, String>) entry).setValue(lease, ttlMillis, TimeUnit.MILLISECONDS);
      return new JsonObject().put("kind", "granted").put("failures", failures).encode();
    }
  }
}
