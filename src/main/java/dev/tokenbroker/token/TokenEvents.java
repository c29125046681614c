package dev.tokenbroker.token;

import dev.tokenbroker.error.BrokerException;
import java.time.Instant;

/** What the broker tells subscribers. Implementations never include a secret. */
public interface TokenEvents {
  void rotated(Token token, RotationReason reason);

  /** @param retryAt when the broker will try again by itself, or null if it will not */
  void failed(TokenKey key, BrokerException error, boolean authorizationRequired, Instant retryAt);

  /**
   * The first successful rotation ({@code token}) after {@code failures} failed ones.
   *
   * @param lostAnswerAt when the rotation replayed a refresh token whose earlier answer was lost: the
   *     time of that lost call; otherwise null
   */
  void recovered(Token token, int failures, Instant lostAnswerAt);

  /** The refresh token of {@code key}, which renewing cannot extend, ends at {@code refreshExpiresAt}. */
  void expiring(TokenKey key, Instant refreshExpiresAt);

  /** A new authorization (code exchange or import) was stored for the account. */
  default void authorized(Token token) {}

  /** The stored account was deleted ({@code DELETE /v1/tokens}); {@code revoked}: the provider confirmed the revocation. */
  default void disconnected(TokenKey key, boolean revoked) {}

  /** Tells every one of {@code all}, in order. */
  static TokenEvents all(TokenEvents... all) {
    java.util.List<TokenEvents> list = java.util.List.of(all);
    return new TokenEvents() {
      @Override
      public void rotated(Token token, RotationReason reason) {
        list.forEach(e -> e.rotated(token, reason));
      }

      @Override
      public void failed(TokenKey key, BrokerException error, boolean authorizationRequired, Instant retryAt) {
        list.forEach(e -> e.failed(key, error, authorizationRequired, retryAt));
      }

      @Override
      public void recovered(Token token, int failures, Instant lostAnswerAt) {
        list.forEach(e -> e.recovered(token, failures, lostAnswerAt));
      }

      @Override
      public void expiring(TokenKey key, Instant refreshExpiresAt) {
        list.forEach(e -> e.expiring(key, refreshExpiresAt));
      }

      @Override
      public void authorized(Token token) {
        list.forEach(e -> e.authorized(token));
      }

      @Override
      public void disconnected(TokenKey key, boolean revoked) {
        list.forEach(e -> e.disconnected(key, revoked));
      }
    };
  }

  TokenEvents NONE = new TokenEvents() {
    @Override
    public void rotated(Token token, RotationReason reason) {}

    @Override
    public void failed(TokenKey key, BrokerException error, boolean authorizationRequired, Instant retryAt) {}

    @Override
    public void recovered(Token token, int failures, Instant lostAnswerAt) {}

    @Override
    public void expiring(TokenKey key, Instant refreshExpiresAt) {}
  };
}
