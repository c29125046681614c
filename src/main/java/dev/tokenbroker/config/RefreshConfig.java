package dev.tokenbroker.config;

/** Timing of renewals, all in seconds. */
public record RefreshConfig(
    long skewSeconds,
    long jitterSeconds,
    long minValiditySeconds,
    long defaultLifetimeSeconds,
    long retryInitialSeconds,
    long retryMaxSeconds) {

  public static RefreshConfig defaults() {
    return new RefreshConfig(300, 30, 30, 3600, 1, 300);
  }
}
