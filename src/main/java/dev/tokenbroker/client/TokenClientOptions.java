package dev.tokenbroker.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/** Options of a {@link TokenClient}. Defaults: account {@code default}, 30 s minimum validity, 30 s timeout. */
public final class TokenClientOptions {
  public static final String DEFAULT_ACCOUNT = "default";
  /** The broker's default {@code refresh.min-validity-seconds}. */
  public static final Duration DEFAULT_MIN_VALIDITY = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private String defaultAccount = DEFAULT_ACCOUNT;
  private Duration minValidity = DEFAULT_MIN_VALIDITY;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private Clock clock = Clock.systemUTC();

  public String getDefaultAccount() {
    return defaultAccount;
  }

  /** The account of {@link TokenClient#get(String)} and {@link TokenClient#refresh(String)}. */
  public TokenClientOptions setDefaultAccount(String defaultAccount) {
    this.defaultAccount = Objects.requireNonNull(defaultAccount, "defaultAccount");
    return this;
  }

  public Duration getMinValidity() {
    return minValidity;
  }

  /**
   * A cached token is used while at least this much of its life is left; it is also sent to the
   * broker as {@code min_validity}, so it must stay below the lifetime the provider issues.
   */
  public TokenClientOptions setMinValidity(Duration minValidity) {
    if (minValidity == null || minValidity.isNegative()) {
      throw new IllegalArgumentException("minValidity must be zero or positive");
    }
    this.minValidity = minValidity;
    return this;
  }

  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  /** How long to wait for the broker's answer; then the request fails with {@code broker_timeout}. */
  public TokenClientOptions setRequestTimeout(Duration requestTimeout) {
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive");
    }
    this.requestTimeout = requestTimeout;
    return this;
  }

  public Clock getClock() {
    return clock;
  }

  /** The clock that decides whether a cached token is still fresh (tests move it). */
  public TokenClientOptions setClock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }
}
