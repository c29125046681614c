package dev.tokenbroker.error;

import io.vertx.core.json.JsonObject;

/**
 * A failure with a contract code. Messages are written for callers and never contain secrets.
 * Stack traces are not captured: these are expected outcomes, not bugs.
 */
public final class BrokerException extends RuntimeException {
  private final ErrorCode code;
  private final Long retryAfterSeconds;
  private final boolean outcomeUnknown;

  public BrokerException(ErrorCode code, String description) {
    this(code, description, null);
  }

  public BrokerException(ErrorCode code, String description, Long retryAfterSeconds) {
    this(code, description, retryAfterSeconds, false);
  }

  private BrokerException(ErrorCode code, String description, Long retryAfterSeconds, boolean outcomeUnknown) {
    super(description, null, false, false);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
    this.outcomeUnknown = outcomeUnknown;
  }

  /**
   * A provider call whose request may have been processed although no usable answer came back
   * (a timeout after the request was sent, a connection lost mid-answer, a success we could not
   * read). After a refresh grant with rotating refresh tokens, the old refresh token may be dead.
   */
  public static BrokerException outcomeUnknown(ErrorCode code, String description) {
    return new BrokerException(code, description, null, true);
  }

  public boolean isOutcomeUnknown() {
    return outcomeUnknown;
  }

  public static BrokerException invalidRequest(String description) {
    return new BrokerException(ErrorCode.INVALID_REQUEST, description);
  }

  public ErrorCode code() {
    return code;
  }

  /** Seconds the caller should wait before trying again, or null. */
  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** {"error","error_description"} plus "retry_after" where it applies. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", code.error()).put("error_description", getMessage());
    if (retryAfterSeconds != null) {
      json.put("retry_after", retryAfterSeconds);
    }
    return json;
  }

  /** Maps any throwable to a contract failure; unexpected ones become internal_error. */
  public static BrokerException from(Throwable t) {
    if (t instanceof BrokerException be) {
      return be;
    }
    return new BrokerException(ErrorCode.INTERNAL_ERROR, "internal error; see the broker log");
  }

  @Override
  public String toString() {
    return "BrokerException[" + code.error() + ": " + getMessage() + "]";
  }
}
