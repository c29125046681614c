package dev.tokenbroker.client;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/**
 * A failure of a token request, typed with the contract's HTTP-like {@link #code()} and OAuth-style
 * {@link #error()} ({@code unknown_provider}, {@code unknown_account}, {@code authorization_required},
 * {@code rate_limited}, {@code provider_unavailable} ...). Two failures are the client's own: nobody
 * answers on the address ({@code unknown_provider}, 404: no such provider, or no broker runs in this
 * Vert.x or cluster) and no answer in time ({@link #BROKER_TIMEOUT}, 504). No stack trace: these are
 * expected outcomes.
 */
public final class TokenBrokerException extends RuntimeException {
  public static final String INVALID_REQUEST = "invalid_request";
  public static final String AUTHORIZATION_REQUIRED = "authorization_required";
  public static final String UNKNOWN_PROVIDER = "unknown_provider";
  public static final String UNKNOWN_ACCOUNT = "unknown_account";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String PROVIDER_ERROR = "provider_error";
  public static final String PROVIDER_UNAVAILABLE = "provider_unavailable";
  public static final String INTERNAL_ERROR = "internal_error";
  /** The client's own: the broker did not answer within the request timeout. */
  public static final String BROKER_TIMEOUT = "broker_timeout";

  private final int code;
  private final String error;
  private final String description;
  private final Duration retryAfter;

  public TokenBrokerException(int code, String error, String description, Duration retryAfter) {
    super(error + " (" + code + "): " + description, null, false, false);
    this.code = code;
    this.error = error;
    this.description = description;
    this.retryAfter = retryAfter;
  }

  /** The contract's HTTP-like status: 400, 401, 404, 429, 500, 502, 503, or 504 for a timeout. */
  public int code() {
    return code;
  }

  /** The contract's error name, e.g. {@code unknown_account}. */
  public String error() {
    return error;
  }

  /** The broker's description, written for people; never contains a secret. */
  public String description() {
    return description;
  }

  /** How long to wait before trying again, when the broker said so (rate limits, back-off). */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Maps a failed event-bus request on {@code address} to a typed failure. */
  static TokenBrokerException from(Throwable failure, String address, Duration timeout) {
    if (failure instanceof TokenBrokerException e) {
      return e;
    }
    if (!(failure instanceof ReplyException reply)) {
      return new TokenBrokerException(500, INTERNAL_ERROR, "request on " + address + " failed: " + failure, null);
    }
    switch (reply.failureType()) {
      case NO_HANDLERS:
        return new TokenBrokerException(404, UNKNOWN_PROVIDER, "nobody answers on " + address
            + ": the provider is not configured, or no broker runs in this Vert.x instance or cluster", null);
      case TIMEOUT:
        return new TokenBrokerException(504, BROKER_TIMEOUT, "no answer on " + address + " within "
            + timeout.toMillis() + " ms; is the broker overloaded or did a node leave the cluster?", null);
      case RECIPIENT_FAILURE:
        return fromRecipient(reply);
      default:
        return new TokenBrokerException(500, INTERNAL_ERROR, "request on " + address + " failed: " + reply.getMessage(), null);
    }
  }

  /** The broker's {@code message.fail(code, text)} with text {"error","error_description","retry_after"?}. */
  private static TokenBrokerException fromRecipient(ReplyException reply) {
    String text = reply.getMessage();
    try {
      JsonObject json = new JsonObject(text == null ? "{}" : text);
      Long retryAfter = json.getValue("retry_after") instanceof Number n ? n.longValue() : null;
      return new TokenBrokerException(reply.failureCode(), json.getString("error", INTERNAL_ERROR),
          json.getString("error_description", ""), retryAfter == null ? null : Duration.ofSeconds(retryAfter));
    } catch (DecodeException | ClassCastException e) {
      return new TokenBrokerException(reply.failureCode(), INTERNAL_ERROR, String.valueOf(text), null);
    }
  }
}
