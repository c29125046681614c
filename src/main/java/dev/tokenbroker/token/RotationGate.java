package dev.tokenbroker.token;

import dev.tokenbroker.error.BrokerException;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;

/**
 * Lets exactly one caller at a time rotate a token, across every node that shares the store,
 * and holds the backoff after failures so that no node calls a failing provider early.
 * Within a node, {@link TokenService} already shares one rotation per key; the gate is about
 * the other nodes.
 */
public interface RotationGate {

  /** Asks to rotate {@code key} now; the lease lasts at most {@code leaseTtl}. */
  Future<Permit> enter(TokenKey key, Instant now, Duration leaseTtl);

  /** The rotation finished (successfully, or with nothing to retry): frees the key, forgets failures. */
  Future<Void> release(TokenKey key);

  /** The rotation failed: nobody tries again before {@code retryAt}; remembers the count. */
  Future<Void> backOff(TokenKey key, int failures, Instant retryAt, BrokerException error, Instant now);

  /** Completes when the current holder of {@code key} is done (or gone), at the latest after {@code max}. */
  Future<Void> awaitRelease(TokenKey key, Duration max);

  /** The answer to {@link #enter}. */
  record Permit(Kind kind, int previousFailures, Instant retryAt, BrokerException error) {
    public enum Kind { GRANTED, BUSY, BACKING_OFF }

    public static Permit granted(int previousFailures) {
      return new Permit(Kind.GRANTED, previousFailures, null, null);
    }

    public static Permit busy() {
      return new Permit(Kind.BUSY, 0, null, null);
    }

    public static Permit backingOff(int failures, Instant retryAt, BrokerException error) {
      return new Permit(Kind.BACKING_OFF, failures, retryAt, error);
    }
  }
}
