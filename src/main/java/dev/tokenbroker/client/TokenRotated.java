package dev.tokenbroker.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A {@code token.rotated} event: the token of {@code provider:account} is now at {@code version}.
 * It carries no secret; {@code reason} is {@code scheduled}, {@code on_demand}, {@code forced} or
 * {@code authorized}.
 */
public record TokenRotated(String provider, String account, long version, Instant issuedAt, Instant expiresAt, String reason) {

  /** Parses the event body, or returns null when it is not one (a foreign publisher). */
  static TokenRotated fromJson(Object body) {
    if (!(body instanceof JsonObject json)) {
      return null;
    }
    try {
      String provider = json.getString("provider");
      String account = json.getString("account");
      Long version = json.getLong("version");
      if (provider == null || account == null || version == null) {
        return null;
      }
      return new TokenRotated(provider, account, version, instant(json.getLong("issued_at")),
          instant(json.getLong("expires_at")), json.getString("reason"));
    } catch (ClassCastException e) {
      return null;
    }
  }

  private static Instant instant(Long epochSeconds) {
    return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds);
  }
}
