package dev.tokenbroker.webhook;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The JSON bodies of webhook deliveries: {@code event}, a unique {@code id} (the same on every
 * retry, so a receiver can drop duplicates), {@code created_at}, the account, and the event's own
 * fields. Built only from non-secret values: no access or refresh token ever goes in.
 */
final class WebhookPayloads {
  private WebhookPayloads() {}

  static JsonObject base(String event, String id, Instant now, TokenKey key) {
    return new JsonObject().put("event", event).put("id", id).put("created_at", now.getEpochSecond())
        .put("provider", key.provider()).put("account", key.account());
  }

  static JsonObject failed(JsonObject base, BrokerException error, boolean authorizationRequired, Instant retryAt) {
    return base.put("error", error.code().error()).put("error_description", error.getMessage())
        .put("authorization_required", authorizationRequired).put("retry_at", retryAt == null ? null : retryAt.getEpochSecond());
  }

  static JsonObject recovered(JsonObject base, Token token, int failures, Instant lostAnswerAt) {
    base.put("version", token.version()).put("failures", failures);
    return lostAnswerAt == null ? base : base.put("lost_answer_at", lostAnswerAt.getEpochSecond());
  }

  static JsonObject expiring(JsonObject base, Instant refreshExpiresAt) {
    return base.put("refresh_expires_at", refreshExpiresAt.getEpochSecond());
  }

  static JsonObject authorized(JsonObject base, Token token) {
    return base.put("version", token.version()).put("expires_at", token.expiresAt().getEpochSecond())
        .put("refresh_expires_at", token.refreshExpiresAt() == null ? null : token.refreshExpiresAt().getEpochSecond())
        .put("scope", token.scope());
  }

  static JsonObject disconnected(JsonObject base, boolean revoked) {
    return base.put("revoked", revoked);
  }
}
