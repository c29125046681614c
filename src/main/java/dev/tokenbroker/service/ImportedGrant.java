package dev.tokenbroker.service;

import dev.tokenbroker.provider.TokenResponse;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.secret.Secret;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The body of {@code PUT /v1/tokens/{provider}?account=}: a grant obtained elsewhere, validated.
 * {@code toString()} shows no token.
 *
 * @param accessToken null: the broker rotates at once with the refresh token
 * @param expiresIn seconds the access token has left, or null (then {@code refresh.default-lifetime-seconds})
 */
public record ImportedGrant(Secret refreshToken, Secret accessToken, Long expiresIn, String scope) {
  private static final Set<String> FIELDS = Set.of("refresh_token", "access_token", "expires_in", "scope");
  private static final int MAX_TOKEN_CHARS = 16 * 1024;

  /** Reads the JSON body; 400 invalid_request naming what is wrong. */
  public static ImportedGrant parse(JsonObject body) {
    if (body == null) {
      throw BrokerException.invalidRequest("the body must be a JSON object with refresh_token (and optionally access_token,"
          + " expires_in, scope)");
    }
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw BrokerException.invalidRequest("unknown field '" + (field.length() > 40 ? field.substring(0, 40) + "..." : field)
            + "'; the fields are refresh_token, access_token, expires_in, scope");
      }
    }
    Secret refresh = token(body, "refresh_token");
    if (refresh == null) {
      throw BrokerException.invalidRequest("refresh_token is required");
    }
    Secret access = token(body, "access_token");
    Object expires = body.getValue("expires_in");
    Long expiresIn = null;
    if (expires != null) {
      if (!(expires instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
          || n.longValue() > 10L * 365 * 24 * 3600) {
        throw BrokerException.invalidRequest("expires_in must be a whole number of seconds, at least 1");
      }
      if (access == null) {
        throw BrokerException.invalidRequest("expires_in is the access token's; give it with access_token");
      }
      expiresIn = n.longValue();
    }
    Object scope = body.getValue("scope");
    if (scope != null && !(scope instanceof String)) {
      throw BrokerException.invalidRequest("scope must be a string");
    }
    return new ImportedGrant(refresh, access, expiresIn, (String) scope);
  }

  private static Secret token(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isBlank() || s.length() > MAX_TOKEN_CHARS || !s.equals(s.strip())) {
      throw BrokerException.invalidRequest(field + " must be a non-empty string without surrounding spaces");
    }
    return Secret.of(s);
  }

  /**
   * The provider's answer to a refresh with this grant's refresh token, completed from the grant:
   * its scope, and its refresh token when the answer carries none.
   */
  TokenResponse completedBy(TokenResponse answer) {
    return new TokenResponse(answer.accessToken(), answer.scope() != null ? answer.scope() : scope, answer.expiresIn(),
        answer.refreshToken() != null ? answer.refreshToken() : refreshToken,
        answer.refreshToken() != null ? answer.refreshExpiresIn() : null);
  }

  @Override
  public String toString() {
    return "ImportedGrant[refresh=" + refreshToken.fingerprint() + (accessToken == null ? "" : " access=" + accessToken.fingerprint())
        + "]";
  }
}
