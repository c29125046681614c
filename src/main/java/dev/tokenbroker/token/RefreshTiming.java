package dev.tokenbroker.token;

/**
 * Timing of renewals, all in seconds.
 *
 * @param expiringWarningSeconds how long before a refresh token that renewing cannot extend ends
 *     {@code token.expiring} is published and the account is listed as {@code expiring}
 */
public record RefreshTiming(
    long skewSeconds,
    long jitterSeconds,
    long minValiditySeconds,
    long defaultLifetimeSeconds,
    long retryInitialSeconds,
    long retryMaxSeconds,
    long expiringWarningSeconds) {

  public static final long DEFAULT_EXPIRING_WARNING_SECONDS = 7 * 24 * 3600;

  /** The timing with the default warning before a refresh token's fixed end (7 days). */
  public RefreshTiming(long skewSeconds, long jitterSeconds, long minValiditySeconds, long defaultLifetimeSeconds,
                       long retryInitialSeconds, long retryMaxSeconds) {
    this(skewSeconds, jitterSeconds, minValiditySeconds, defaultLifetimeSeconds, retryInitialSeconds, retryMaxSeconds,
        DEFAULT_EXPIRING_WARNING_SECONDS);
  }

  public static RefreshTiming defaults() {
    return new RefreshTiming(300, 30, 30, 3600, 1, 300, DEFAULT_EXPIRING_WARNING_SECONDS);
  }
}
