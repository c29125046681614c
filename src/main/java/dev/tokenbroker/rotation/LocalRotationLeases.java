package dev.tokenbroker.rotation;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lease table of a node that runs alone: the same {@link LeaseRecords} rules in a local map.
 * Leases here never need extending (no other node can take them over) and waiting is never
 * needed (the token service already shares one rotation per key).
 */
public final class LocalRotationLeases implements RotationLeases {
  private final ConcurrentHashMap<TokenKey, String> records = new ConcurrentHashMap<>();

  @Override
  public Future<Permit> acquire(TokenKey key, Instant now, Duration ttl) {
    String holder = UUID.randomUUID().toString();
    JsonObject answer = apply(key, current -> LeaseRecords.acquire(current, holder, now.toEpochMilli(), ttl.toMillis()));
    return Future.succeededFuture(LeasePermits.permit(key, holder, answer, SealedBox.NONE));
  }

  @Override
  public Future<Void> confirm(Lease lease, String refreshFingerprint, Instant now, Duration ttl) {
    JsonObject answer = apply(lease.key(),
        current -> LeaseRecords.confirm(current, lease.holder(), refreshFingerprint, now.toEpochMilli(), ttl.toMillis()));
    return answer.getBoolean("ok") ? Future.succeededFuture() : Future.failedFuture(LeasePermits.leaseLost(lease));
  }

  @Override
  public Future<Boolean> release(Lease lease) {
    return Future.succeededFuture(apply(lease.key(), current -> LeaseRecords.release(current, lease.holder())).getBoolean("ok"));
  }

  @Override
  public Future<Boolean> backOff(Lease lease, int failures, Instant retryAt, BrokerException error, Instant now) {
    return Future.succeededFuture(apply(lease.key(), current -> LeaseRecords.backOff(current, lease.holder(), failures,
        retryAt.toEpochMilli(), LeasePermits.sealError(SealedBox.NONE, lease.key(), error), now.toEpochMilli())).getBoolean("ok"));
  }

  @Override
  public void abandon(Lease lease) {
    // the record stays until its time; the next holder then learns of the interrupted call
  }

  @Override
  public Future<Void> clearBackoff(TokenKey key) {
    apply(key, LeaseRecords::clearBackoff);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> awaitRelease(TokenKey key, Duration max) {
    return Future.succeededFuture();
  }

  @Override
  public Future<java.util.Set<TokenKey>> held(Instant now) {
    java.util.Set<TokenKey> out = new java.util.HashSet<>();
    records.forEach((key, record) -> {
      if (LeaseRecords.isLive(record, now.toEpochMilli())) {
        out.add(key);
      }
    });
    return Future.succeededFuture(out);
  }

  /** Number of keys with a record (a lease or a backoff): records go when they stop mattering. */
  public int size() {
    return records.size();
  }

  private JsonObject apply(TokenKey key, java.util.function.Function<String, LeaseRecords.Change> rule) {
    JsonObject[] answer = new JsonObject[1];
    records.compute(key, (k, current) -> {
      LeaseRecords.Change change = rule.apply(current);
      answer[0] = change.answer();
      switch (change.kind()) {
        case WRITE:
          return change.value();
        case REMOVE:
          return null;
        default:
          return current;
      }
    });
    return answer[0];
  }
}
