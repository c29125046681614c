package dev.tokenbroker.proxy;

import java.net.URI;
import java.util.Locale;

/**
 * A provider's API base ({@code providers.<p>.api-base-url} or the preset's), taken apart once so
 * that a proxied request names its origin and path without parsing a URL per request.
 *
 * @param url the base as configured, without a trailing slash
 * @param path its raw path, without a trailing slash ({@code ""} for an origin alone)
 */
public record ApiBase(String url, boolean ssl, String host, int port, String path) {

  /** Parses a base the config accepted (http or https, a host, no query or fragment). */
  public static ApiBase parse(String url) {
    URI uri = URI.create(url);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("an API base is an http(s) URL with a host");
    }
    boolean ssl = scheme.equals("https");
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new ApiBase(url, ssl, host, uri.getPort() >= 0 ? uri.getPort() : ssl ? 443 : 80, path);
  }
}
