package dev.tokenbroker.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tokenbroker.grant.ClientCredentialsGrant;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A token-endpoint call hands its outcome to the caller's own context (not to a duplicate of it,
 * nor to the connection's), as the Web Client did, whether the answer or the deadline ends it.
 */
class TokenEndpointCallerContextTest {
  private Vertx vertx;
  private ProviderDouble wiremock;
  private TokenEndpointClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    wiremock = ProviderDouble.start();
    client = new TokenEndpointClient(vertx, Clock.systemUTC(), null);
  }

  @AfterEach
  void stop() {
    Await.result(client.close());
    Await.result(vertx.close());
    wiremock.close();
  }

  private ProviderSpec spec(int timeoutSeconds) {
    return new ProviderSpec("caller", null, wiremock.baseUrl() + "/token", null, GrantType.CLIENT_CREDENTIALS, BodyEncoding.FORM,
        ClientAuth.BODY, TestConfigs.CLIENT_ID, Secret.of(TestConfigs.CLIENT_SECRET), null, null,
        Duration.ofSeconds(timeoutSeconds), true, null, false, Map.of());
  }

  /** The context the call's callback runs on when the call is made on {@code caller}. */
  private Context contextOfTheCallback(Context caller, ProviderSpec spec) throws Exception {
    CompletableFuture<Context> seen = new CompletableFuture<>();
    caller.runOnContext(v -> client.request(spec, ClientCredentialsGrant.INSTANCE)
        .onComplete(ar -> seen.complete(Vertx.currentContext())));
    return seen.get(30, TimeUnit.SECONDS);
  }

  @Test
  void theAnswerIsHandedToTheCallersContext() throws Exception {
    wiremock.stub(post(urlPathEqualTo("/token")).willReturn(okJson(TestConfigs.tokenJson("t", 3600))));
    Context caller = vertx.getOrCreateContext();

    assertSame(caller, contextOfTheCallback(caller, spec(10)));
  }

  @Test
  void theDeadlineIsHandedToTheCallersContext() throws Exception {
    wiremock.stub(post(urlPathEqualTo("/token")).willReturn(okJson(TestConfigs.tokenJson("t", 3600)).withFixedDelay(20_000)));
    Context caller = vertx.getOrCreateContext();

    assertSame(caller, contextOfTheCallback(caller, spec(1)));
  }
}
