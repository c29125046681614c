package dev.tokenbroker.token;

import dev.tokenbroker.secret.Secret;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Tokens as JSON text for the shared map: plain data that any node can read, no live objects.
 * Instants are epoch milliseconds.
 */
public final class TokenCodec {
  private TokenCodec() {}

  public static String encode(Token t) {
    JsonObject json = new JsonObject()
        .put("provider", t.key().provider())
        .put("account", t.key().account())
        .put("access_token", t.accessToken().reveal())
        .put("token_type", t.tokenType())
        .put("scope", t.scope())
        .put("issued_at", t.issuedAt().toEpochMilli())
        .put("expires_at", t.expiresAt().toEpochMilli())
        .put("version", t.version())
        .put("authorization_required", t.authorizationRequired());
    if (t.refreshToken() != null) {
      json.put("refresh_token", t.refreshToken().reveal());
    }
    if (t.refreshExpiresAt() != null) {
      json.put("refresh_expires_at", t.refreshExpiresAt().toEpochMilli());
    }
    if (t.retryAt() != null) {
      json.put("retry_at", t.retryAt().toEpochMilli());
    }
    if (t.lastError() != null) {
      json.put("last_error", t.lastError());
    }
    if (t.failures() > 0) {
      json.put("failures", t.failures());
    }
    if (t.refreshEndFixed()) {
      json.put("refresh_end_fixed", true);
    }
    if (t.expiringAnnounced()) {
      json.put("expiring_announced", true);
    }
    if (t.unansweredSince() != null) {
      json.put("unanswered_since", t.unansweredSince().toEpochMilli());
    }
    return json.encode();
  }

  public static Token decode(String text) {
    JsonObject j = new JsonObject(text);
    Long refreshExpires = j.getLong("refresh_expires_at");
    Long retryAt = j.getLong("retry_at");
    Long unanswered = j.getLong("unanswered_since");
    return new Token(
        new TokenKey(j.getString("provider"), j.getString("account")),
        Secret.of(j.getString("access_token")),
        j.getString("token_type", "Bearer"),
        j.getString("scope"),
        Instant.ofEpochMilli(j.getLong("issued_at")),
        Instant.ofEpochMilli(j.getLong("expires_at")),
        Secret.ofNullable(j.getString("refresh_token")),
        refreshExpires == null ? null : Instant.ofEpochMilli(refreshExpires),
        j.getLong("version"),
        j.getString("last_error"),
        j.getBoolean("authorization_required", false),
        retryAt == null ? null : Instant.ofEpochMilli(retryAt),
        j.getInteger("failures", 0),
        j.getBoolean("refresh_end_fixed", false),
        j.getBoolean("expiring_announced", false),
        unanswered == null ? null : Instant.ofEpochMilli(unanswered));
  }

  /** The version in an encoded token without decoding the rest; 0 for null. */
  public static long versionOf(String text) {
    return text == null ? 0 : new JsonObject(text).getLong("version", 0L);
  }
}
