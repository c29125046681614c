package dev.tokenbroker.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.rotation.LeasePermits;
import dev.tokenbroker.rotation.LeaseRecords;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cluster's lease table: one record per key in the Hazelcast map {@value #MAP_NAME}, changed
 * only by {@link LeaseProcessor} (an entry processor: a compare-and-set run where the record
 * lives, so the holder check cannot race). While a lease is held this node extends it every
 * third of its TTL, so a long store write never lets it end under the holder. With
 * {@code cluster.min-members} above one, the map is under Hazelcast split-brain protection
 * ({@link ClusterSetup}): on the smaller side of a partition every lease operation fails, and
 * {@link #confirm} additionally checks the protection and reaches every other member right
 * before the provider call, which closes most of the window before the protection notices.
 * Waiting nodes are woken by the map's entry events, not by polling. A backoff's error text is
 * sealed with the cluster key; the rest of a record (state, holder id, times, a refresh token's
 * fingerprint) is what the entry processor must read where the record lives.
 */
public final class HazelcastRotationLeases implements RotationLeases {
  public static final String MAP_NAME = MapNames.ROTATIONS;
  private static final Log LOG = Log.of(HazelcastRotationLeases.class);

  private final Vertx vertx;
  private final Clock clock;
  private final IMap<String, String> map;
  private final Quorum quorum;
  private final SealedBox box;
  private final Map<String, List<Promise<Void>>> waiters = new ConcurrentHashMap<>();
  private final Map<String, Long> renewals = new ConcurrentHashMap<>();
  private final UUID listenerId;

  private HazelcastRotationLeases(Vertx vertx, Clock clock, HazelcastInstance hazelcast, Quorum quorum, SealedBox box) {
    this.vertx = vertx;
    this.box = box;
    this.clock = clock;
    this.quorum = quorum;
    this.map = hazelcast.getMap(MAP_NAME);
    this.listenerId = map.addEntryListener(new Wakeup(), false);
  }

  /** Creates the map proxy and its listener (both cluster operations) on a worker thread. */
  public static Future<HazelcastRotationLeases> start(Vertx vertx, Clock clock, HazelcastInstance hazelcast, Quorum quorum,
                                                      SealedBox box) {
    return vertx.executeBlocking(() -> new HazelcastRotationLeases(vertx, clock, hazelcast, quorum, box));
  }

  @Override
  public Future<Permit> acquire(TokenKey key, Instant now, Duration ttl) {
    String holder = UUID.randomUUID().toString();
    return run(key, LeaseProcessor.acquire(holder, now.toEpochMilli(), ttl.toMillis())).map(answer -> {
      Permit permit = LeasePermits.permit(key, holder, answer, box);
      if (permit.kind() == Permit.Kind.GRANTED) {
        keepAlive(permit.lease(), ttl);
      }
      return permit;
    });
  }

  @Override
  public Future<Void> confirm(Lease lease, String refreshFingerprint, Instant now, Duration ttl) {
    return quorum.confirm().compose(v -> run(lease.key(),
        LeaseProcessor.confirm(lease.holder(), refreshFingerprint, now.toEpochMilli(), ttl.toMillis())))
        .compose(answer -> answer.getBoolean("ok") ? Future.<Void>succeededFuture()
            : Future.failedFuture(LeasePermits.leaseLost(lease)));
  }

  @Override
  public Future<Boolean> release(Lease lease) {
    stopKeepingAlive(lease);
    return run(lease.key(), LeaseProcessor.release(lease.holder())).map(answer -> refusedIfNotHolder(lease, answer, "release"));
  }

  @Override
  public Future<Boolean> backOff(Lease lease, int failures, Instant retryAt, BrokerException error, Instant now) {
    stopKeepingAlive(lease);
    return run(lease.key(), LeaseProcessor.backOff(lease.holder(), failures, retryAt.toEpochMilli(),
        LeasePermits.sealError(box, lease.key(), error), now.toEpochMilli())).map(answer -> refusedIfNotHolder(lease, answer, "back off"));
  }

  @Override
  public void abandon(Lease lease) {
    stopKeepingAlive(lease);
    LOG.warn("Gave up the rotation lease of " + lease.key() + " mid-rotation; it ends by itself");
  }

  @Override
  public Future<Void> clearBackoff(TokenKey key) {
    return run(key, LeaseProcessor.clearBackoff()).mapEmpty();
  }

  @Override
  public Future<Void> quorum() {
    return quorum.confirm();
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
      waiters.computeIfPresent(key.id(), (k, l) -> l.isEmpty() ? null : l);
    });
    // the holder may have finished before we registered
    Future.fromCompletionStage(map.getAsync(key.id()), vertx.getOrCreateContext()).onComplete(ar -> {
      if (ar.failed() || !LeaseRecords.isLive(ar.result(), clock.millis())) {
        promise.tryComplete();
      }
    });
    return promise.future();
  }

  /** Reads the whole table (small: a record exists only while a lease or a backoff matters) off the event loop. */
  @Override
  public Future<java.util.Set<TokenKey>> held(Instant now) {
    return vertx.executeBlocking(() -> {
      java.util.Set<TokenKey> out = new java.util.HashSet<>();
      for (Map.Entry<String, String> e : map.entrySet()) {
        if (LeaseRecords.isLive(e.getValue(), now.toEpochMilli())) {
          out.add(TokenKey.fromId(e.getKey()));
        }
      }
      return out;
    });
  }

  @Override
  public Future<Void> close() {
    renewals.values().forEach(vertx::cancelTimer);
    renewals.clear();
    return vertx.executeBlocking(() -> {
      try {
        map.removeEntryListener(listenerId);
      } catch (RuntimeException alreadyLeaving) {
        // the instance is shutting down
      }
      return null;
    });
  }

  /** Keys with a waiting caller on this node (per-key state goes once nobody waits). */
  public int waitingKeys() {
    return waiters.size();
  }

  /** Extends the lease every third of its TTL until it is released or backed off. */
  private void keepAlive(Lease lease, Duration ttl) {
    long period = Math.max(100, ttl.toMillis() / 3);
    long timer = vertx.setPeriodic(period, id -> run(lease.key(),
        LeaseProcessor.extend(lease.holder(), clock.millis(), ttl.toMillis())).onComplete(ar -> {
          if (ar.succeeded() && !ar.result().getBoolean("ok")) {
            LOG.error("The rotation lease of " + lease.key() + " ended under its holder on this node");
            stopKeepingAlive(lease);
          }
        }));
    renewals.put(lease.holder(), timer);
  }

  private void stopKeepingAlive(Lease lease) {
    Long timer = renewals.remove(lease.holder());
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  private static boolean refusedIfNotHolder(Lease lease, JsonObject answer, String what) {
    boolean ok = answer.getBoolean("ok");
    if (!ok) {
      LOG.warn("Refused to " + what + " the rotation lease of " + lease.key() + ": it is not held by " + lease.holder());
    }
    return ok;
  }

  private Future<JsonObject> run(TokenKey key, LeaseProcessor processor) {
    return Future.fromCompletionStage(map.submitToKey(key.id(), processor), vertx.getOrCreateContext())
        .map(JsonObject::new)
        .recover(t -> Future.failedFuture(unavailable(key, t)));
  }

  /** A lease operation the cluster could not do: never a reason to call the provider. */
  private BrokerException unavailable(TokenKey key, Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof BrokerException be) {
      return be;
    }
    if (cause instanceof SplitBrainProtectionException) {
      return quorum.missing();
    }
    LOG.warn("Rotation lease of " + key + " unavailable: " + cause.getClass().getSimpleName());
    return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, "the cluster could not coordinate the rotation of " + key
        + " (" + cause.getClass().getSimpleName() + "); try again", 2L);
  }

  private void wake(String id) {
    List<Promise<Void>> list = waiters.get(id);
    if (list != null) {
      list.forEach(Promise::tryComplete);
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
      if (!LeaseRecords.isLive(event.getValue(), clock.millis())) {
        wake(event.getKey());
      }
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      wake(event.getKey());
    }
  }
}
