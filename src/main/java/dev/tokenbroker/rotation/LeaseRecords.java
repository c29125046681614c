package dev.tokenbroker.rotation;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * The lease table's rules as pure functions of one record, shared by every {@link RotationLeases}
 * implementation so that a single node and a cluster follow the same rules. A record is JSON:
 * <ul>
 *   <li>{@code {"state":"rotating","holder":id,"until":ms,"failures":n,"calling":fingerprint?,"calling_since":ms?}}:
 *       a lease; {@code until} is when it ends unless extended; {@code calling} is set once the holder is
 *       about to call the provider with that refresh token, at {@code calling_since}: if the lease ends
 *       with it set, that call's outcome is unknown since then.</li>
 *   <li>{@code {"state":"backoff","failures":n,"until":ms,"error":..}}: nobody rotates before
 *       {@code until}; {@code error} is the failure's code and description, sealed by the caller
 *       (these rules never need to read it).</li>
 * </ul>
 * Every function returns the {@link Change} to apply (write a value, remove the record, or keep
 * it) and the answer for the caller. Only the record's holder can confirm, extend, release or
 * back off; a lease whose {@code until} has passed counts as ended, and the next holder learns
 * whether the previous one was mid-call.
 */
public final class LeaseRecords {
  /** How long a record stays in the table after it stops mattering (a garbage-collection TTL). */
  static final long RETENTION_MILLIS = TimeUnit.MINUTES.toMillis(10);

  private LeaseRecords() {}

  /** What to do with the record, and the caller's answer. */
  public record Change(Kind kind, String value, long ttlMillis, JsonObject answer) {
    public enum Kind { KEEP, WRITE, REMOVE }

    static Change keep(JsonObject answer) {
      return new Change(Kind.KEEP, null, 0, answer);
    }

    static Change write(JsonObject value, long ttlMillis, JsonObject answer) {
      return new Change(Kind.WRITE, value.encode(), ttlMillis, answer);
    }

    static Change remove(JsonObject answer) {
      return new Change(Kind.REMOVE, null, 0, answer);
    }
  }

  /** Grants the lease when there is no record, the lease ended or the backoff is over. */
  public static Change acquire(String current, String holder, long now, long ttlMillis) {
    JsonObject record = current == null ? null : new JsonObject(current);
    int failures = 0;
    String abandoned = null;
    long abandonedSince = 0;
    if (record != null) {
      long until = record.getLong("until", 0L);
      failures = record.getInteger("failures", 0);
      if (isLease(record)) {
        if (until > now) {
          return Change.keep(new JsonObject().put("kind", "busy"));
        }
        abandoned = record.getString("calling");
        abandonedSince = record.getLong("calling_since", until);
      } else if (until > now) {
        return Change.keep(record.copy().put("kind", "backoff"));
      }
    }
    JsonObject lease = new JsonObject().put("state", "rotating").put("holder", holder).put("until", now + ttlMillis)
        .put("failures", failures);
    JsonObject answer = new JsonObject().put("kind", "granted").put("failures", failures);
    if (abandoned != null) {
      answer.put("abandoned_call", abandoned).put("abandoned_since", abandonedSince);
    }
    return Change.write(lease, ttlMillis + RETENTION_MILLIS, answer);
  }

  /** The holder is about to call the provider: records the call and extends the lease. */
  public static Change confirm(String current, String holder, String callingFingerprint, long now, long ttlMillis) {
    JsonObject record = heldBy(current, holder, now);
    if (record == null) {
      return Change.keep(refused());
    }
    record.put("until", now + ttlMillis);
    if (callingFingerprint != null && !callingFingerprint.equals(record.getString("calling"))) {
      record.put("calling", callingFingerprint).put("calling_since", now);
    }
    return Change.write(record, ttlMillis + RETENTION_MILLIS, accepted());
  }

  /** The holder keeps its lease for {@code ttlMillis} more. */
  public static Change extend(String current, String holder, long now, long ttlMillis) {
    JsonObject record = heldBy(current, holder, now);
    if (record == null) {
      return Change.keep(refused());
    }
    record.put("until", now + ttlMillis);
    return Change.write(record, ttlMillis + RETENTION_MILLIS, accepted());
  }

  /** The holder is done: the record goes, and with it the failure count. */
  public static Change release(String current, String holder) {
    if (ownedBy(current, holder) == null) {
      return Change.keep(refused());
    }
    return Change.remove(accepted());
  }

  /** The holder failed: the lease becomes a backoff record. */
  public static Change backOff(String current, String holder, int failures, long retryAt, String sealedError, long now) {
    if (ownedBy(current, holder) == null) {
      return Change.keep(refused());
    }
    JsonObject backoff = new JsonObject().put("state", "backoff").put("failures", failures).put("until", retryAt)
        .put("error", sealedError);
    return Change.write(backoff, Math.max(1, retryAt - now) + RETENTION_MILLIS, accepted());
  }

  /** Removes a backoff record; a lease (held or ended) stays. */
  public static Change clearBackoff(String current) {
    JsonObject record = current == null ? null : new JsonObject(current);
    if (record == null || isLease(record)) {
      return Change.keep(refused());
    }
    return Change.remove(accepted());
  }

  /** True while the record is a lease that has not ended. */
  public static boolean isLive(String current, long now) {
    if (current == null) {
      return false;
    }
    JsonObject record = new JsonObject(current);
    return isLease(record) && record.getLong("until", 0L) > now;
  }

  /** The record when it is a lease of {@code holder}'s, ended or not; otherwise null. */
  private static JsonObject ownedBy(String current, String holder) {
    JsonObject record = current == null ? null : new JsonObject(current);
    return record != null && isLease(record) && holder.equals(record.getString("holder")) ? record : null;
  }

  /** The record when it is a lease of {@code holder}'s that has not ended; otherwise null. */
  private static JsonObject heldBy(String current, String holder, long now) {
    JsonObject record = ownedBy(current, holder);
    return record != null && record.getLong("until", 0L) > now ? record : null;
  }

  private static boolean isLease(JsonObject record) {
    return "rotating".equals(record.getString("state"));
  }

  private static JsonObject accepted() {
    return new JsonObject().put("ok", true);
  }

  private static JsonObject refused() {
    return new JsonObject().put("ok", false);
  }
}
