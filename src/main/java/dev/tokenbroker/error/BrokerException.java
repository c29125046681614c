package dev.tokenbroker.error;

import io.vertx.core.json.JsonObject;

/**
 * A failure with a contract code. Messages are written for callers and never contain secrets.
 * Stack traces are not captured: these are expected outcomes, not bugs.
 */
public final class BrokerException extends RuntimeException {
  private final ErrorCode code;
  private final Long retryAfterSeconds;

  public BrokerException(ErrorCode code, String description) {
    this(code, description, null);
  }

  public BrokerException(ErrorCode code, String description, Long retryAfterSeconds) {
    super(description, null, false, false);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
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
