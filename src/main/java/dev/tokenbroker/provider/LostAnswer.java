package dev.tokenbroker.provider;

/**
 * What a refresh whose answer was lost does next ({@code providers.<p>.lost-answer}). Only matters
 * for providers that rotate refresh tokens: a refresh token that stays valid is simply sent again.
 */
public enum LostAnswer {
  /**
   * Send the same refresh token again - promptly the first time, then with the usual backoff - until
   * the provider answers; never while an earlier call with it may still be in flight. Doorkeeper keeps
   * a spent refresh token valid until the new access token is used, Okta has a grace period, and a
   * strict provider's refusal loses nothing that was not already lost.
   */
  REPLAY,
  /** Never send it again: the account needs a new authorization (for providers that punish any second use). */
  REAUTHORIZE;

  /** The configuration's spelling. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
