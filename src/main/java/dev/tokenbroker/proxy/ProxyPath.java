package dev.tokenbroker.proxy;

import dev.tokenbroker.error.BrokerException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The proxy's target URL from the API base and the caller's path: pure, decided before anything
 * is sent. Invariants: the target always starts with {@code <api base>/} (same scheme, host and
 * port, path below the base's), and the path reaches the provider exactly as the caller wrote
 * it - never re-encoded, never normalised - so what was checked is what is sent. Refused (400
 * {@code invalid_request}): a path that, raw or percent-decoded, has a {@code .} or {@code ..}
 * segment, an empty segment, a backslash, an encoded {@code /} or {@code \}, a NUL or other control
 * character, characters outside printable ASCII, a fragment, or a scheme.
 */
public final class ProxyPath {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  private ProxyPath() {}

  /**
   * {@code apiBase + "/" + rawPath} plus {@code "?" + rawQuery} when there is one.
   *
   * @param apiBase the provider's API base, without a trailing slash
   * @param rawPath the caller's path after {@code /v1/proxy/<provider>/}, still percent-encoded
   * @param rawQuery the caller's query string as received, or null
   * @return the whole URL: {@link #requestUri} with the base's origin, to state the invariants by
   */
  static String target(String apiBase, String rawPath, String rawQuery) {
    ApiBase base = ApiBase.parse(apiBase);
    return base.url() + requestUri(base, rawPath, rawQuery).substring(base.path().length());
  }

  /**
   * The request URI to send to the base's origin: {@code base.path() + "/" + rawPath} plus the
   * query, after the same checks as {@link #target}. A path of unreserved characters and slashes
   * (the usual {@code documents/123}) with a plain query is checked by one scan: it cannot encode,
   * decode to or normalise into anything, so the URL parsing of the full check would find nothing.
   */
  public static String requestUri(ApiBase base, String rawPath, String rawQuery) {
    if (isPlain(rawPath) && isPlainQuery(rawQuery)) {
      return base.path() + "/" + rawPath + query(rawQuery);
    }
    return checkedRequestUri(base, rawPath, rawQuery);
  }

  /** {@link #requestUri} by the full check alone, whatever the path (the one-scan lane must agree with it). */
  static String checkedRequestUri(ApiBase base, String rawPath, String rawQuery) {
    String query = query(rawQuery);
    check(rawPath);
    requireBelow(base.url(), base.url() + "/" + rawPath + query);
    return base.path() + "/" + rawPath + query;
  }

  /**
   * True for a non-empty path of RFC 3986 unreserved characters and single slashes, no segment
   * {@code .} or {@code ..}, no leading slash (a trailing one is allowed).
   */
  static boolean isPlain(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return false;
    }
    int segmentStart = 0;
    for (int i = 0; i <= rawPath.length(); i++) {
      char c = i < rawPath.length() ? rawPath.charAt(i) : '/';
      if (c == '/') {
        int length = i - segmentStart;
        boolean last = i == rawPath.length();
        if (length == 0 && !(last && i > 0)
            || length == 1 && rawPath.charAt(segmentStart) == '.'
            || length == 2 && rawPath.charAt(segmentStart) == '.' && rawPath.charAt(segmentStart + 1) == '.') {
          return false;
        }
        segmentStart = i + 1;
      } else if (!isUnreserved(c)) {
        return false;
      }
    }
    return true;
  }

  /** True for no query, or one of characters a URI's query allows as they are, and well-formed %HH escapes. */
  static boolean isPlainQuery(String rawQuery) {
    if (rawQuery == null) {
      return true;
    }
    for (int i = 0; i < rawQuery.length(); i++) {
      char c = rawQuery.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawQuery.length() || !isHex(rawQuery.charAt(i + 1)) || !isHex(rawQuery.charAt(i + 2))) {
          return false;
        }
        i += 2;
      } else if (!isUnreserved(c) && "!*'();:@&=+$,/?".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static String query(String rawQuery) {
    return rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery;
  }

  private static boolean isUnreserved(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  /** Throws invalid_request unless {@code rawPath} is safe to append to an API base. */
  static void check(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      throw refused("a path after the provider is required (/v1/proxy/<provider>/<path>)");
    }
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw refused("the path has a control or non-ASCII character; percent-encode it");
      }
      if (c == '\\') {
        throw refused("the path has a backslash");
      }
      if (c == '#' || c == '?') {
        throw refused("the path has a '" + c + "'");
      }
    }
    String lower = rawPath.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c")) {
      throw refused("the path has an encoded '/' or '\\'");
    }
    String decoded = decode(rawPath);
    checkDecoded(decoded);
    // a second decoding catches %252e%252e and the like, for APIs that decode twice
    String lowerDecoded = decoded.toLowerCase(Locale.ROOT);
    if (lowerDecoded.contains("%2f") || lowerDecoded.contains("%5c")) {
      throw refused("the path has an encoded '/' or '\\'");
    }
    if (lowerDecoded.contains("%")) {
      try {
        checkDecoded(decode(decoded));
      } catch (BrokerException e) {
        throw e;
      } catch (RuntimeException e) {
        // not a valid second encoding: the provider receives it as data
      }
    }
    String[] segments = rawPath.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      // a trailing slash is allowed (some APIs distinguish it); an empty segment anywhere else is not
      if (segments[i].isEmpty() && i < segments.length - 1) {
        throw refused("the path has an empty segment ('//' or a leading '/')");
      }
    }
  }

  private static void checkDecoded(String decoded) {
    for (int i = 0; i < decoded.length(); i++) {
      char c = decoded.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw refused("the path has a NUL or control character");
      }
      if (c == '\\') {
        throw refused("the path has a backslash");
      }
    }
    for (String segment : decoded.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        throw refused("the path has a '" + segment + "' segment");
      }
    }
    if (SCHEME.matcher(decoded).matches() || decoded.contains("://")) {
      throw refused("the path must not carry a scheme; it is appended to the provider's API base");
    }
  }

  /** Strict percent-decoding (UTF-8); '+' stays '+' (it is not a space in a path). */
  static String decode(String s) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
          throw refused("the path has an invalid percent-encoding");
        }
        out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The last line of defence: whatever the checks above missed, the target stays below the base. */
  private static void requireBelow(String apiBase, String url) {
    try {
      URI base = new URI(apiBase);
      URI target = new URI(url);
      String basePath = base.getRawPath() == null ? "" : base.getRawPath();
      String normalized = target.normalize().getRawPath();
      if (!url.startsWith(apiBase + "/") || !base.getScheme().equalsIgnoreCase(target.getScheme())
          || !base.getRawAuthority().equals(target.getRawAuthority()) || normalized == null
          || !normalized.startsWith(basePath + "/") || !normalized.equals(target.getRawPath())) {
        throw refused("the path leaves the provider's API base");
      }
    } catch (URISyntaxException e) {
      throw refused("the path is not a valid URL path");
    }
  }

  private static BrokerException refused(String why) {
    return BrokerException.invalidRequest(why);
  }
}
