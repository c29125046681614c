package dev.tokenbroker.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import dev.tokenbroker.rotation.LeaseRecords;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@link LeaseRecords} rule run where the lease record lives: Hazelcast runs an entry
 * processor on the key's partition owner with the record locked, so reading the holder and
 * writing the new record are one atomic step. Answers are the rule's JSON answer as text.
 */
final class LeaseProcessor implements EntryProcessor<String, String, String> {
  private static final long serialVersionUID = 2L;

  private enum Op { ACQUIRE, CONFIRM, EXTEND, RELEASE, BACK_OFF, CLEAR_BACKOFF }

  private final Op op;
  private final String holder;
  private final String fingerprint;
  private final long now;
  private final long ttlMillis;
  private final int failures;
  private final long retryAt;
  private final String error;

  private LeaseProcessor(Op op, String holder, String fingerprint, long now, long ttlMillis, int failures, long retryAt,
                         String error) {
    this.op = op;
    this.holder = holder;
    this.fingerprint = fingerprint;
    this.now = now;
    this.ttlMillis = ttlMillis;
    this.failures = failures;
    this.retryAt = retryAt;
    this.error = error;
  }

  static LeaseProcessor acquire(String holder, long now, long ttlMillis) {
    return new LeaseProcessor(Op.ACQUIRE, holder, null, now, ttlMillis, 0, 0, null);
  }

  static LeaseProcessor confirm(String holder, String fingerprint, long now, long ttlMillis) {
    return new LeaseProcessor(Op.CONFIRM, holder, fingerprint, now, ttlMillis, 0, 0, null);
  }

  static LeaseProcessor extend(String holder, long now, long ttlMillis) {
    return new LeaseProcessor(Op.EXTEND, holder, null, now, ttlMillis, 0, 0, null);
  }

  static LeaseProcessor release(String holder) {
    return new LeaseProcessor(Op.RELEASE, holder, null, 0, 0, 0, 0, null);
  }

  static LeaseProcessor backOff(String holder, int failures, long retryAt, String sealedError, long now) {
    return new LeaseProcessor(Op.BACK_OFF, holder, null, now, 0, failures, retryAt, sealedError);
  }

  static LeaseProcessor clearBackoff() {
    return new LeaseProcessor(Op.CLEAR_BACKOFF, null, null, 0, 0, 0, 0, null);
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    String current = entry.getValue();
    LeaseRecords.Change change;
    switch (op) {
      case ACQUIRE:
        change = LeaseRecords.acquire(current, holder, now, ttlMillis);
        break;
      case CONFIRM:
        change = LeaseRecords.confirm(current, holder, fingerprint, now, ttlMillis);
        break;
      case EXTEND:
        change = LeaseRecords.extend(current, holder, now, ttlMillis);
        break;
      case RELEASE:
        change = LeaseRecords.release(current, holder);
        break;
      case BACK_OFF:
        change = LeaseRecords.backOff(current, holder, failures, retryAt, error, now);
        break;
      default:
        change = LeaseRecords.clearBackoff(current);
        break;
    }
    switch (change.kind()) {
      case WRITE:
        ((ExtendedMapEntry<String, String>) entry).setValue(change.value(), change.ttlMillis(), TimeUnit.MILLISECONDS);
        break;
      case REMOVE:
        entry.setValue(null);
        break;
      default:
        break;
    }
    return change.answer().encode();
  }

  @Override
  public String toString() {
    return "LeaseProcessor[" + op + "]";
  }
}
