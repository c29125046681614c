package dev.tokenbroker.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /console}: the operator console, a few static files served from the jar. They are
 * public (no API key): the page holds no data, and every call it makes to {@code /v1} carries the
 * admin key the operator signs in with. Only the files listed in {@link #FILES} exist here; each
 * goes out with a strict Content-Security-Policy (scripts, styles and requests to this origin
 * only, no inline code, never in a frame) and is revalidated by ETag rather than cached blindly.
 *
 * <p>The files are read from the classpath once, on a worker thread, before the router mounts
 * them; serving them is a lookup in memory.
 */
final class ConsoleRoutes {
  static final String PATH = "/console";
  /**
   * Only this origin's own files and API; no inline script or style; never framed; and, where the
   * browser knows Trusted Types, no string can become HTML or script (the page only sets text).
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";
  private static final String RESOURCE_DIR = "console/";
  /** The console's files and their content types; nothing else under /console is served. */
  static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "console.css", "text/css; charset=utf-8",
      "console.js", "text/javascript; charset=utf-8",
      "api.js", "text/javascript; charset=utf-8",
      "events.js", "text/javascript; charset=utf-8",
      "format.js", "text/javascript; charset=utf-8",
      "table.js", "text/javascript; charset=utf-8",
      "dialogs.js", "text/javascript; charset=utf-8",
      "icon.svg", "image/svg+xml");

  private final Map<String, Asset> assets;

  private ConsoleRoutes(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** Reads the console's files from the jar on a worker thread. */
  static Future<ConsoleRoutes> load(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      Map<String, Asset> assets = new LinkedHashMap<>();
      FILES.forEach((name, type) -> assets.put(name, Asset.read(name, type)));
      return new ConsoleRoutes(Map.copyOf(assets));
    }, false);
  }

  /** {@code GET /console/*} (which matches {@code /console} too): the console's static files. */
  void serve(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path.equals(PATH)) {
      // relative URLs in the page resolve against /console/
      securityHeaders(ctx.response());
      ctx.redirect(PATH + "/");
      return;
    }
    String name = path.substring(PATH.length() + 1);
    Asset asset = assets.get(name.isEmpty() ? "index.html" : name);
    HttpServerResponse response = ctx.response();
    securityHeaders(response);
    if (asset == null) {
      HttpErrors.send(ctx, 404, "not_found", "the console has no file " + ctx.request().path());
      return;
    }
    response.putHeader(HttpHeaders.ETAG, asset.etag()).putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType()).end(asset.body());
  }

  /** What every console response carries, a 404 included. */
  static void securityHeaders(HttpServerResponse response) {
    response.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cross-Origin-Resource-Policy", "same-origin")
        .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  }

  private record Asset(Buffer body, String contentType, String etag) {
    static Asset read(String name, String contentType) {
      try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
        if (in == null) {
          throw new IllegalStateException("the console file " + RESOURCE_DIR + name + " is missing from the jar");
        }
        byte[] bytes = in.readAllBytes();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
        return new Asset(Buffer.buffer(bytes), contentType, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
