package dev.tokenbroker.provider;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.secret.Secret;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads a token-endpoint response: a token on success, otherwise a {@link BrokerException} with
 * the contract's code. OAuth error bodies are recognised at any status (RightSignature answers
 * them with 403). Messages quote the provider's error code and description, never the body.
 */
public final class TokenResponseParser {
  private static final long MAX_EXPIRES_IN = 10L * 365 * 24 * 3600;
  private static final int MAX_DESCRIPTION = 200;

  private TokenResponseParser() {}

  public static TokenResponse parse(String provider, int status, String retryAfter, Buffer body, Instant now) {
    JsonObject json = parseJson(body);
    if (status == 429) {
      Long wait = retryAfterSeconds(retryAfter, now);
      throw new BrokerException(ErrorCode.RATE_LIMITED, provider + " rate-limited the broker (HTTP 429)", wait == null ? 1L : wait);
    }
    if (json != null && json.getValue("error") instanceof String error) {
      throw oauthError(provider, status, error, json.getValue("error_description"));
    }
    if (status >= 500) {
      throw new BrokerException(ErrorCode.PROVIDER_ERROR, provider + " answered HTTP " + status);
    }
    if (status < 200 || status >= 300) {
      throw new BrokerException(ErrorCode.PROVIDER_ERROR, provider + " answered HTTP " + status + " without an OAuth error");
    }
    if (json == null) {
      throw malformed(provider, "the body is not a JSON object");
    }
    if (!(json.getValue("access_token") instanceof String access) || access.isBlank()) {
      Object message = json.getValue("message");
      throw malformed(provider, "no access_token" + (message instanceof String m ? " (" + clean(m) + ")" : ""));
    }
    Object type = json.getValue("token_type");
    if (type != null && !(type instanceof String t && t.equalsIgnoreCase("bearer"))) {
      throw malformed(provider, "token_type " + clean(String.valueOf(type)) + " is not bearer");
    }
    Long expiresIn = seconds(provider, json, "expires_in");
    // both spellings are in use (refresh_token_expires_in: GitHub, Microsoft; refresh_expires_in: Keycloak, eSignGlobal-like)
    Long refreshExpiresIn = seconds(provider, json, "refresh_token_expires_in");
    if (refreshExpiresIn == null) {
      refreshExpiresIn = seconds(provider, json, "refresh_expires_in");
    }
    Object refresh = json.getValue("refresh_token");
    Secret refreshToken = refresh instanceof String r && !r.isBlank() ? Secret.of(r) : null;
    Object scope = json.getValue("scope");
    return new TokenResponse(Secret.of(access), scope == null ? null : String.valueOf(scope), expiresIn, refreshToken, refreshExpiresIn);
  }

  private static BrokerException oauthError(String provider, int status, String error, Object description) {
    String text = provider + " answered " + clean(error) + " (HTTP " + status + ")"
        + (description instanceof String d && !d.isBlank() ? ": " + clean(d) : "");
    if ("invalid_grant".equals(error)) {
      return new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED,
          "the provider rejected the grant; the account must be authorized again. " + text);
    }
    if (status == 429 || "slow_down".equals(error)) {
      return new BrokerException(ErrorCode.RATE_LIMITED, text, 1L);
    }
    return new BrokerException(ErrorCode.PROVIDER_ERROR, text);
  }

  private static Long seconds(String provider, JsonObject json, String field) {
    Object v = json.getValue(field);
    if (v == null) {
      return null;
    }
    long n;
    if (v instanceof Number num) {
      n = num.longValue();
    } else if (v instanceof String s) {
      try {
        n = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw malformed(provider, field + " is not a number");
      }
    } else {
      throw malformed(provider, field + " is not a number");
    }
    if (n <= 0) {
      throw malformed(provider, field + " must be positive, got " + n);
    }
    return Math.min(n, MAX_EXPIRES_IN);
  }

  private static JsonObject parseJson(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object v = Json.decodeValue(body);
      return v instanceof JsonObject o ? o : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  /** Retry-After as delta-seconds or an HTTP date (RFC 9110 section 10.2.3); null if absent or unreadable. */
  public static Long retryAfterSeconds(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.trim();
    try {
      return Math.max(0, Long.parseLong(h));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Math.max(0, at.getEpochSecond() - now.getEpochSecond());
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  private static BrokerException malformed(String provider, String what) {
    return new BrokerException(ErrorCode.PROVIDER_ERROR, "malformed response from " + provider + ": " + what);
  }

  /** Provider text in our messages: printable, short. */
  static String clean(String s) {
    String printable = s.replaceAll("[\\p{Cntrl}]", " ").trim();
    return printable.length() > MAX_DESCRIPTION ? printable.substring(0, MAX_DESCRIPTION) + "..." : printable;
  }
}
