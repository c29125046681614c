package dev.tokenbroker.token;

import java.util.Locale;

/** Why a token was rotated, as published in {@code token.rotated}. */
public enum RotationReason {
  /** The refresh timer fired before expiry. */
  SCHEDULED,
  /** A get found no usable token (missing, too old, or its version was rejected). */
  ON_DEMAND,
  /** Someone asked for a rotation explicitly. */
  FORCED,
  /** A new authorization (code exchange). */
  AUTHORIZED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
