package dev.tokenbroker.wire;

import dev.tokenbroker.token.Token;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The contract's token reply, shared by the event bus and the HTTP bridge. */
public final class TokenReplies {
  private TokenReplies() {}

  public static JsonObject reply(Token token, Instant now) {
    return new JsonObject()
        .put("provider", token.key().provider())
        .put("account", token.key().account())
        .put("access_token", token.accessToken().reveal())
        .put("token_type", "Bearer")
        .put("expires_at", token.expiresAt().getEpochSecond())
        .put("expires_in", expiresIn(token, now))
        .put("scope", token.scope())
        .put("version", token.version());
  }

  /** Whole seconds the token has left at {@code now}, never negative. */
  public static long expiresIn(Token token, Instant now) {
    return Math.max(0, token.remaining(now).getSeconds());
  }
}
