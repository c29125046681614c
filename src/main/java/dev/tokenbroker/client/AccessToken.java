package dev.tokenbroker.client;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An access token as the broker handed it out: the value to send as {@code Bearer}, the version
 * the broker gave it (to report with {@link TokenClient#rejected(AccessToken)} when an API
 * refuses it) and when it expires. {@link #toString()} never shows the value.
 */
public record AccessToken(String provider, String account, String value, long version, Instant expiresAt, String scope) {
  public AccessToken {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** True when at least {@code minValidity} is left at {@code now}. */
  public boolean isValidFor(Duration minValidity, Instant now) {
    return now.plus(minValidity).isBefore(expiresAt);
  }

  /** Parses the contract's token reply; a reply without the fields a token needs is refused. */
  static AccessToken fromReply(JsonObject reply) {
    String value = reply.getString("access_token");
    Long version = reply.getLong("version");
    Long expiresAt = reply.getLong("expires_at");
    if (value == null || version == null || expiresAt == null) {
      throw new IllegalArgumentException("the broker's reply lacks access_token, version or expires_at");
    }
    return new AccessToken(reply.getString("provider", ""), reply.getString("account", ""), value, version,
        Instant.ofEpochSecond(expiresAt), reply.getString("scope"));
  }

  @Override
  public String toString() {
    return "AccessToken[" + provider + ":" + account + " v" + version + ", expires " + expiresAt + ", value redacted]";
  }
}
