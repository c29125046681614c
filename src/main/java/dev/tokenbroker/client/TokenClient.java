package dev.tokenbroker.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * Access tokens from the token broker, for a verticle. Speaks the broker's event-bus contract
 * ({@code token.get.<provider>}, {@code token.refresh.<provider>}, {@code token.rotated}) and
 * nothing else, so it works against any broker node of the Vert.x cluster.
 *
 * <p>Tokens are cached in this node: a token is reused until {@code token.rotated} announces a
 * newer version or less than the {@linkplain TokenClientOptions#setMinValidity minimum validity}
 * is left; concurrent misses for the same token share one bus request. Failures are
 * {@link TokenBrokerException}s. Create one client per verticle (or share one per node); it is
 * safe to use from any thread.
 */
public interface TokenClient {

  static TokenClient create(Vertx vertx) {
    return create(vertx, new TokenClientOptions());
  }

  static TokenClient create(Vertx vertx, TokenClientOptions options) {
    return new CachingTokenClient(vertx, options);
  }

  /** A token of the default account valid for at least the minimum validity. */
  Future<AccessToken> get(String provider);

  /** A token of {@code account} valid for at least the minimum validity. */
  Future<AccessToken> get(String provider, String account);

  /** Forces a rotation of the default account's token and answers the new token. */
  Future<AccessToken> refresh(String provider);

  /** Forces a rotation of {@code account}'s token and answers the new token. */
  Future<AccessToken> refresh(String provider, String account);

  /**
   * Reports that an API refused {@code token} (a 401) and answers a newer token: the broker
   * rotates that version once however many callers report it ({@code rejected_version}); when
   * this node already knows a newer token it is answered without a bus request.
   */
  Future<AccessToken> rejected(AccessToken token);

  /** Called for every {@code token.rotated} event, on the context that created the client. */
  TokenClient onRotated(Handler<TokenRotated> handler);

  /** Stops listening for rotations and forgets the cached tokens. */
  Future<Void> close();
}
