package dev.tokenbroker.http;

import io.vertx.core.http.HttpServerResponse;

/** The small pages a person sees after authorizing; everything dynamic is escaped. */
final class HtmlPage {
  private HtmlPage() {}

  static void send(HttpServerResponse response, int status, String title, String message) {
    String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
        + " - token-broker</title><style>body{font-family:sans-serif;max-width:36em;margin:4em auto}</style></head>"
        + "<body><h1>" + escape(title) + "</h1><p>" + escape(message) + "</p></body></html>";
    response.setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .end(html);
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
