package dev.tokenbroker.bus;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Publishes {@code token.rotated}, {@code token.failed}, {@code token.recovered} and {@code token.expiring}; none carries a secret. */
public final class BusTokenEvents implements TokenEvents {
  private final EventBus bus;

  public BusTokenEvents(EventBus bus) {
    this.bus = bus;
  }

  @Override
  public void rotated(Token token, RotationReason reason) {
    bus.publish(Addresses.ROTATED, new JsonObject()
        .put("provider", token.key().provider())
        .put("account", token.key().account())
        .put("version", token.version())
        .put("issued_at", token.issuedAt().getEpochSecond())
        .put("expires_at", token.expiresAt().getEpochSecond())
        .put("reason", reason.wireName()));
  }

  @Override
  public void failed(TokenKey key, BrokerException error, boolean authorizationRequired, Instant retryAt) {
    bus.publish(Addresses.FAILED, new JsonObject()
        .put("provider", key.provider())
        .put("account", key.account())
        .put("error", error.code().error())
        .put("error_description", error.getMessage())
        .put("authorization_required", authorizationRequired)
        .put("retry_at", retryAt == null ? null : retryAt.getEpochSecond()));
  }

  @Override
  public void recovered(Token token, int failures, Instant lostAnswerAt) {
    JsonObject event = new JsonObject()
        .put("provider", token.key().provider())
        .put("account", token.key().account())
        .put("version", token.version())
        .put("failures", failures);
    if (lostAnswerAt != null) {
      event.put("lost_answer_at", lostAnswerAt.getEpochSecond());
    }
    bus.publish(Addresses.RECOVERED, event);
  }

  @Override
  public void expiring(TokenKey key, Instant refreshExpiresAt) {
    bus.publish(Addresses.EXPIRING, new JsonObject()
        .put("provider", key.provider())
        .put("account", key.account())
        .put("refresh_expires_at", refreshExpiresAt.getEpochSecond()));
  }
}
