package dev.tokenbroker.http;

import io.vertx.core.http.HttpMethod;

/**
 * The route a request was for, as a metrics label: the route's template, never the provider,
 * account or proxied path it carried, so the label's values are few and name nothing secret.
 */
final class RouteLabel {
  static final String OTHER = "other";
  private static final String PROXY = "/v1/proxy/{provider}/{path}";
  private static final java.util.Set<HttpMethod> STANDARD = java.util.Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

  private RouteLabel() {}

  static String of(String path) {
    if (path == null) {
      return OTHER;
    }
    if (path.startsWith("/v1/")) {
      return v1(path.substring(4));
    }
    return switch (path) {
      case "/health", "/ready", "/metrics" -> path;
      default -> path.startsWith("/eventbus/") || path.equals("/eventbus") ? "/eventbus"
          : path.startsWith("/console") ? "/console" : OTHER;
    };
  }

  private static String v1(String rest) {
    if (rest.startsWith("proxy/")) {
      return rest.indexOf('/', "proxy/".length()) >= 0 ? PROXY : OTHER;
    }
    String[] parts = rest.split("/", -1);
    return switch (parts[0]) {
      case "tokens" -> parts.length == 1 ? "/v1/tokens"
          : parts.length == 2 ? "/v1/tokens/{provider}"
          : parts.length == 3 && parts[2].equals("refresh") ? "/v1/tokens/{provider}/refresh" : OTHER;
      case "oauth" -> parts.length == 3 && (parts[2].equals("authorize") || parts[2].equals("callback"))
          ? "/v1/oauth/{provider}/" + parts[2] : OTHER;
      case "events" -> parts.length == 1 ? "/v1/events" : OTHER;
      default -> OTHER;
    };
  }

  /** The method as a label: the standard ones by name, anything else as {@code other}. */
  static String method(HttpMethod method) {
    return STANDARD.contains(method) ? method.name() : OTHER;
  }
}
