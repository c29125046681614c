package dev.tokenbroker.wire;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A validated {@code token.get} / {@code token.refresh} request. Unknown fields are refused so
 * that a misspelt option ({@code minValidity}) is not silently ignored.
 */
public record TokenRequest(String account, long minValidity, Long rejectedVersion) {
  private static final long MAX_SECONDS = 10L * 365 * 24 * 3600;
  private static final Set<String> GET_FIELDS = Set.of("account", "min_validity", "rejected_version");
  private static final Set<String> REFRESH_FIELDS = Set.of("account");

  public TokenKey key(String provider) {
    return new TokenKey(provider, account);
  }

  /** Parses a {@code token.get} body: null or a JSON object. */
  public static TokenRequest forGet(Object body) {
    JsonObject json = object(body, GET_FIELDS);
    return new TokenRequest(account(json.getValue("account")),
        minValidity(json.getValue("min_validity")), rejectedVersion(json.getValue("rejected_version")));
  }

  /** Parses a {@code token.refresh} body: null or a JSON object with an optional account. */
  public static TokenRequest forRefresh(Object body) {
    JsonObject json = object(body, REFRESH_FIELDS);
    return new TokenRequest(account(json.getValue("account")), 0, null);
  }

  private static JsonObject object(Object body, Set<String> allowed) {
    if (body == null) {
      return new JsonObject();
    }
    if (!(body instanceof JsonObject json)) {
      throw BrokerException.invalidRequest("the body must be a JSON object or empty, got " + kind(body));
    }
    for (String field : json.fieldNames()) {
      if (!allowed.contains(field)) {
        throw BrokerException.invalidRequest("unknown field '" + shorten(field) + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    return json;
  }

  public static String account(Object value) {
    if (value == null) {
      return TokenKey.DEFAULT_ACCOUNT;
    }
    if (!(value instanceof String account)) {
      throw BrokerException.invalidRequest("account must be a string, got " + kind(value));
    }
    if (!TokenKey.isValidAccount(account)) {
      throw BrokerException.invalidRequest("account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    }
    return account;
  }

  public static long minValidity(Object value) {
    if (value == null) {
      return 0;
    }
    long n = wholeNumber("min_validity", value);
    if (n < 0) {
      throw BrokerException.invalidRequest("min_validity must not be negative");
    }
    if (n > MAX_SECONDS) {
      throw BrokerException.invalidRequest("min_validity is too large");
    }
    return n;
  }

  public static Long rejectedVersion(Object value) {
    if (value == null) {
      return null;
    }
    long n = wholeNumber("rejected_version", value);
    if (n < 0) {
      throw BrokerException.invalidRequest("rejected_version must not be negative");
    }
    return n;
  }

  private static long wholeNumber(String field, Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
      return n.longValue();
    }
    throw BrokerException.invalidRequest(field + " must be a whole number of seconds, got " + kind(value));
  }

  private static String kind(Object value) {
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a non-integer or out-of-range number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof io.vertx.core.json.JsonArray) {
      return "an array";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    return value.getClass().getSimpleName();
  }

  private static String shorten(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }
}
