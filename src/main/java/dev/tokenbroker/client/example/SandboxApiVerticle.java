package dev.tokenbroker.client.example;

import dev.tokenbroker.client.AuthorizedRequests;
import dev.tokenbroker.client.TokenClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/**
 * A service verticle that uses the broker the way the client jar intends: it only knows
 * {@link TokenClient} and {@link AuthorizedRequests}, never a broker class. Every
 * {@code interval-ms} it calls the sandbox's API ({@code GET /api/v1/whoami}) with the sandbox
 * provider's token; once, after its first call, it revokes that token at the sandbox to show the
 * 401, the report to the broker and the single retry with a new token.
 *
 * <p>Config: {@code api-host} (127.0.0.1), {@code api-port} (8091), {@code provider} (sandbox),
 * {@code interval-ms} (5000).
 */
public final class SandboxApiVerticle extends VerticleBase {
  private TokenClient tokens;
  private WebClient web;
  private AuthorizedRequests sandbox;
  private String host;
  private int port;
  private long timer = -1;
  private boolean revoked;
  private volatile int answered;

  @Override
  public Future<?> start() {
    host = config().getString("api-host", "127.0.0.1");
    port = config().getInteger("api-port", 8091);
    tokens = TokenClient.create(vertx);
    web = WebClient.create(vertx);
    sandbox = AuthorizedRequests.create(tokens, config().getString("provider", "sandbox"));
    tokens.onRotated(event -> System.out.println("example: token.rotated " + event.provider() + ":" + event.account()
        + " v" + event.version() + " (" + event.reason() + ")"));
    timer = vertx.setPeriodic(0, config().getLong("interval-ms", 5000L), id -> callApi());
    return Future.succeededFuture();
  }

  /** How many calls the API answered with 200 so far. */
  public int answered() {
    return answered;
  }

  private void callApi() {
    sandbox.send(web.get(port, host, "/api/v1/whoami"))
        .onSuccess(this::answered)
        .onFailure(e -> System.out.println("example: no token: " + e.getMessage()));
  }

  private void answered(HttpResponse<Buffer> response) {
    if (response.statusCode() == 200) {
      answered++;
    }
    System.out.println("example: GET /api/v1/whoami -> " + response.statusCode() + " " + response.bodyAsString());
    if (!revoked && response.statusCode() == 200) {
      revoked = true;
      // Demo only: revoke the token at the provider behind the broker's back. The next call gets a
      // 401, reports the token's version to the broker and retries once with the new token.
      tokens.get(config().getString("provider", "sandbox"))
          .compose(token -> web.post(port, host, "/api/v1/revoke").bearerTokenAuthentication(token.value()).send()
              .onSuccess(r -> System.out.println("example: revoked token v" + token.version() + " at the sandbox -> " + r.statusCode())));
    }
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    web.close();
    return tokens.close();
  }
}
