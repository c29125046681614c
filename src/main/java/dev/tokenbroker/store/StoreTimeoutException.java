package dev.tokenbroker.store;

/** A store operation that ran out of its time limit; the message names the operation and the limit, no token material. */
public final class StoreTimeoutException extends RuntimeException {
  StoreTimeoutException(String message) {
    super(message, null, false, false);
  }
}
