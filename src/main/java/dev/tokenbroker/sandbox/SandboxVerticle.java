package dev.tokenbroker.sandbox;

import dev.tokenbroker.config.SandboxConfig;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local token endpoint for the demo, speaking the eSignGlobal dialect:
 * {@code POST /esignglobal/v1/oauth2/accessToken} with multipart/form-data client_id,
 * client_secret and grant_type=client_credentials; answers like eSignGlobal does (lower-case
 * {@code bearer}, scope {@code read-write}) but with a short lifetime so rotations are visible.
 * Off unless the configuration has a {@code sandbox:} section with {@code enabled: true}.
 *
 * <p>It also plays the provider's API, for the client example: {@code GET /api/v1/whoami} answers
 * 200 to a Bearer token it issued that has not expired nor been revoked, 401 otherwise;
 * {@code POST /api/v1/revoke} revokes the Bearer token it is sent with (an early revocation, to
 * see a client retry after a 401). It remembers the last 1,000 tokens it issued.
 */
public final class SandboxVerticle extends VerticleBase {
  public static final String TOKEN_PATH = "/esignglobal/v1/oauth2/accessToken";
  public static final String WHOAMI_PATH = "/api/v1/whoami";
  public static final String REVOKE_PATH = "/api/v1/revoke";
  private static final int REMEMBERED_TOKENS = 1000;
  private static final Log LOG = Log.of(SandboxVerticle.class);

  private final SandboxConfig config;
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong issued = new AtomicLong();
  private HttpServer server;
  /** Tokens issued (value to expiry in epoch ms), the oldest forgotten first; removed when revoked. */
  private final Map<String, Long> live = Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > REMEMBERED_TOKENS;
    }
  });

  public SandboxVerticle(SandboxConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.post(TOKEN_PATH).handler(BodyHandler.create(false).setBodyLimit(16 * 1024)).handler(this::token);
    router.get(WHOAMI_PATH).handler(this::whoami);
    router.post(REVOKE_PATH).handler(this::revoke);
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> {
          server = s;
          LOG.info("Sandbox provider listening on http://" + config.host() + ":" + s.actualPort() + TOKEN_PATH
              + " (tokens live " + config.lifetimeSeconds() + " s)");
        });
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** How many tokens the sandbox has issued. */
  public long issuedCount() {
    return issued.get();
  }

  private void token(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !contentType.toLowerCase().startsWith("multipart/form-data")) {
      error(ctx, 400, "invalid_request", "the token endpoint accepts multipart/form-data only");
      return;
    }
    MultiMap form = ctx.request().formAttributes();
    if (!config.clientId().equals(form.get("client_id"))
        || form.get("client_secret") == null || !config.clientSecret().equals(Secret.of(form.get("client_secret")))) {
      error(ctx, 401, "invalid_client", "unknown client or wrong secret");
      return;
    }
    if (!"client_credentials".equals(form.get("grant_type"))) {
      error(ctx, 400, "unsupported_grant_type", "the sandbox issues client_credentials tokens only");
      return;
    }
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    LOG.info("Sandbox issued token #" + issued.incrementAndGet());
    String accessToken = "sbx-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    live.put(accessToken, System.currentTimeMillis() + config.lifetimeSeconds() * 1000L);
    ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject()
        .put("access_token", accessToken)
        .put("expires_in", config.lifetimeSeconds())
        .put("scope", "read-write")
        .put("token_type", "bearer")
        .encode());
  }

  private void whoami(RoutingContext ctx) {
    if (liveBearer(ctx) == null) {
      error(ctx, 401, "invalid_token", "the access token is unknown, expired or revoked");
      return;
    }
    ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("client_id", config.clientId()).put("scope", "read-write").encode());
  }

  private void revoke(RoutingContext ctx) {
    String token = liveBearer(ctx);
    if (token == null) {
      error(ctx, 401, "invalid_token", "the access token is unknown, expired or revoked");
      return;
    }
    live.remove(token);
    LOG.info("Sandbox revoked a token on request");
    ctx.response().setStatusCode(204).end();
  }

  /** The request's Bearer token when the sandbox issued it and it is still live, else null. */
  private String liveBearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    Long expiresAt = live.get(token);
    return expiresAt != null && expiresAt > System.currentTimeMillis() ? token : null;
  }

  private static void error(RoutingContext ctx, int status, String error, String description) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).put("error_description", description).encode());
  }
}
