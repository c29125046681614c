package dev.tokenbroker.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.ClientCredentialsGrant;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A token-endpoint call ends at its deadline whatever the provider does, closes the connection
 * then, and never takes more than 64 KiB of answer. Timing assertions are loose on purpose: a
 * call that ends "well before" a 30 s dribble would have ended, never a tight gap.
 */
class TokenEndpointDeadlineTest {
  private static final int CAP = TokenEndpointClient.MAX_ANSWER_BYTES;
  private static final Duration WELL_BEFORE = Duration.ofSeconds(15);
  private static final TokenKey ESIGNGLOBAL = new TokenKey("esignglobal", "default");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();

  private final Vertx vertx = broker.vertx();
  private final Vertx providerVertx = broker.vertx();
  private final ProviderDouble wiremock = broker.provider();
  private TokenEndpointClient client;
  private BrokerNode node;

  @BeforeEach
  void start() {
    client = new TokenEndpointClient(vertx, Clock.systemUTC(), null);
    broker.closeBeforeNodes("the token endpoint client", () -> Await.result(client.close()));
  }

  private static ProviderSpec spec(String tokenUrl, int timeoutSeconds) {
    return new ProviderSpec("slowpoke", null, tokenUrl, null, GrantType.CLIENT_CREDENTIALS, BodyEncoding.FORM,
        ClientAuth.BODY, TestConfigs.CLIENT_ID, Secret.of(TestConfigs.CLIENT_SECRET), null, null,
        Duration.ofSeconds(timeoutSeconds), true, null, false, Map.of());
  }

  private Future<TokenResponse> call(String tokenUrl, int timeoutSeconds) {
    return client.request(spec(tokenUrl, timeoutSeconds), ClientCredentialsGrant.INSTANCE);
  }

  /** The failure of a call that must fail, with how long it took. */
  private record Failed(BrokerException error, Duration took) {}

  private static Failed failure(Future<TokenResponse> call, long startedNanos) {
    Throwable t = Await.failure(call);
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    return new Failed(assertInstanceOf(BrokerException.class, t), took);
  }

  /** A valid token answer of exactly {@code bytes} bytes (ASCII), padded in the access token. */
  private static String tokenJsonOfSize(int bytes) {
    String empty = new JsonObject().put("access_token", "").put("token_type", "bearer").put("expires_in", 3600).encode();
    String json = new JsonObject().put("access_token", "a".repeat(bytes - empty.length()))
        .put("token_type", "bearer").put("expires_in", 3600).encode();
    assertEquals(bytes, json.length());
    return json;
  }

  private BrokerNode esignglobalBroker() {
    return broker.start(TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(wiremock.baseUrl()))));
  }

  @Test
  void aCallEndsAtItsDeadlineEvenWhenTheVerticleThatMadeItIsUndeployed() {
    // a graceful stop undeploys the verticles that made calls, then waits for the calls: their deadlines must still come
    wiremock.stub(post(urlPathEqualTo("/token")).willReturn(okJson(TestConfigs.tokenJson("late", 3600)).withFixedDelay(30_000)));
    java.util.concurrent.atomic.AtomicReference<Future<TokenResponse>> call = new java.util.concurrent.atomic.AtomicReference<>();
    String caller = Await.result(vertx.deployVerticle(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        call.set(call(wiremock.baseUrl() + "/token", 2));
        return Future.succeededFuture();
      }
    }));
    long started = System.nanoTime();
    Await.until("the call to reach the provider", Duration.ofSeconds(10), () -> wiremock.calls("/token") == 1);

    Await.result(vertx.undeploy(caller));
    Failed failed = failure(call.get(), started);

    assertTrue(failed.error().getMessage().contains("timed out after 2 s"), failed.error().getMessage());
    assertTrue(failed.took().compareTo(WELL_BEFORE) < 0, "ended at the deadline, not with the 30 s answer: " + failed.took());
  }

  @Test
  void aBodyDribbledOverThirtySecondsEndsAtTheDeadlineAsProviderUnavailableWithOutcomeUnknown() {
    wiremock.stub(post(urlPathEqualTo("/token"))
        .willReturn(okJson(TestConfigs.tokenJson("late", 3600)).withChunkedDribbleDelay(30, 30_000)));

    long started = System.nanoTime();
    Failed failed = failure(call(wiremock.baseUrl() + "/token", 2), started);

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, failed.error().code());
    assertTrue(failed.error().isOutcomeUnknown(), "the request was sent: the provider may have processed it");
    assertTrue(failed.error().getMessage().contains("timed out after 2 s"), failed.error().getMessage());
    assertTrue(failed.took().compareTo(WELL_BEFORE) < 0, "ended at the deadline, not with the dribble: " + failed.took());
  }

  @Test
  void atTheDeadlineTheConnectionToAProviderSendingAByteASecondIsClosed() {
    RawProvider provider = RawProvider.start(providerVertx, (socket, vertx) -> {
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
      vertx.setPeriodic(1000, id -> socket.write(" ").onFailure(closed -> vertx.cancelTimer(id)));
    });

    long started = System.nanoTime();
    Failed failed = failure(call(provider.url(), 2), started);

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, failed.error().code());
    assertTrue(failed.error().isOutcomeUnknown());
    Await.until("the provider sees its connection closed", WELL_BEFORE, provider::closed);
  }

  @Test
  void headersThatNeverComeEndAtTheDeadline() {
    wiremock.stub(post(urlPathEqualTo("/token")).willReturn(okJson(TestConfigs.tokenJson("never", 3600)).withFixedDelay(60_000)));

    long started = System.nanoTime();
    Failed failed = failure(call(wiremock.baseUrl() + "/token", 2), started);

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, failed.error().code());
    assertTrue(failed.error().isOutcomeUnknown(), "the request was sent: the provider may have processed it");
    assertTrue(failed.error().getMessage().contains("timed out after 2 s"), failed.error().getMessage());
    assertTrue(failed.took().compareTo(WELL_BEFORE) < 0, "ended at the deadline: " + failed.took());
  }

  @Test
  void aTlsHandshakeThatNeverCompletesEndsAtTheDeadlineWithTheOutcomeKnown() {
    RawProvider silent = RawProvider.start(providerVertx, (socket, vertx) -> { });

    long started = System.nanoTime();
    Failed failed = failure(call(silent.url().replace("http://", "https://"), 2), started);

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, failed.error().code());
    assertFalse(failed.error().isOutcomeUnknown(), "no connection was established: nothing was sent");
    assertTrue(failed.error().getMessage().contains("timed out after 2 s"), failed.error().getMessage());
    assertTrue(failed.took().compareTo(WELL_BEFORE) < 0, "ended at the deadline: " + failed.took());
  }

  @Test
  void aRefusedConnectionIsProviderUnavailableWithTheOutcomeKnown() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }

    Failed failed = failure(call("http://127.0.0.1:" + port + "/token", 2), System.nanoTime());

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, failed.error().code());
    assertFalse(failed.error().isOutcomeUnknown(), "a refused connection never carried the request");
    assertTrue(failed.error().getMessage().contains("could not be reached"), failed.error().getMessage());
  }

  @Test
  void aContentLengthOverTheCapIsRefusedAsSoonAsTheHeadersArriveAndTheConnectionIsClosed() {
    // announces 5 MiB, then sends nothing more: only a refusal on the header ends the call before the deadline
    RawProvider provider = RawProvider.start(providerVertx, (socket, vertx) ->
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + 5 * 1024 * 1024 + "\r\n\r\n{"));

    Failed failed = failure(call(provider.url(), 20), System.nanoTime());

    assertEquals(ErrorCode.PROVIDER_ERROR, failed.error().code(), failed.error().getMessage());
    assertEquals("slowpoke token endpoint answered more than 64 KiB", failed.error().getMessage());
    assertTrue(failed.error().isOutcomeUnknown(), "a success we refused to read may have rotated the refresh token");
    Await.until("the provider sees its connection closed", WELL_BEFORE, provider::closed);
  }

  @Test
  void aChunkedAnswerIsAbortedOnceItPassesTheCapAndTheConnectionIsClosed() {
    // 80 KiB of chunks without Content-Length, then silence (no last chunk): only counting ends the call early
    RawProvider provider = RawProvider.start(providerVertx, (socket, vertx) -> {
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
      String kib = "x".repeat(1024);
      for (int i = 0; i < 80; i++) {
        socket.write("400\r\n" + kib + "\r\n");
      }
    });

    Failed failed = failure(call(provider.url(), 20), System.nanoTime());

    assertEquals(ErrorCode.PROVIDER_ERROR, failed.error().code(), failed.error().getMessage());
    assertTrue(failed.error().getMessage().contains("answered more than 64 KiB"), failed.error().getMessage());
    assertTrue(failed.error().isOutcomeUnknown());
    Await.until("the provider sees its connection closed", WELL_BEFORE, provider::closed);
  }

  @Test
  void anErrorAnswerOverTheCapIsAProviderErrorWithTheOutcomeKnown() {
    RawProvider provider = RawProvider.start(providerVertx, (socket, vertx) ->
        socket.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: " + (CAP + 1) + "\r\n\r\n"));

    Failed failed = failure(call(provider.url(), 20), System.nanoTime());

    assertEquals(ErrorCode.PROVIDER_ERROR, failed.error().code());
    assertFalse(failed.error().isOutcomeUnknown(), "an error status says the grant was not carried out");
  }

  @Test
  void aTokenAnswerOneByteOverTheCapWithContentLengthFailsTheGetWith502AndStoresNothing() {
    String body = tokenJsonOfSize(CAP + 1);
    wiremock.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withHeader("Content-Length", String.valueOf(body.length())).withBody(body)));
    node = esignglobalBroker();

    ReplyException e = node.requestFailure(Addresses.get("esignglobal"), null);

    assertEquals(502, e.failureCode(), e.getMessage());
    assertEquals("provider_error", new JsonObject(e.getMessage()).getString("error"));
    assertTrue(new JsonObject(e.getMessage()).getString("error_description").contains("answered more than 64 KiB"), e.getMessage());
    assertNull(Await.result(node.store().load(ESIGNGLOBAL)), "nothing is stored");
  }

  @Test
  void aChunkedTokenAnswerOverTheCapFailsTheGetWith502AndStoresNothing() {
    wiremock.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH))
        .willReturn(okJson(tokenJsonOfSize(2 * CAP)).withChunkedDribbleDelay(16, 200)));
    node = esignglobalBroker();

    ReplyException e = node.requestFailure(Addresses.get("esignglobal"), null);

    assertEquals(502, e.failureCode(), e.getMessage());
    assertEquals("provider_error", new JsonObject(e.getMessage()).getString("error"));
    assertNull(Await.result(node.store().load(ESIGNGLOBAL)), "nothing is stored");
  }

  @Test
  void aValidTokenAnswerOfExactly64KiBWithContentLengthIsAccepted() {
    String body = tokenJsonOfSize(CAP);
    wiremock.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withHeader("Content-Length", String.valueOf(CAP)).withBody(body)));
    node = esignglobalBroker();

    JsonObject reply = node.request(Addresses.get("esignglobal"), null);

    assertEquals(new JsonObject(body).getString("access_token"), reply.getString("access_token"));
    assertEquals(1L, reply.getLong("version"));
  }

  @Test
  void aValidChunkedTokenAnswerOfExactly64KiBIsAccepted() {
    String body = tokenJsonOfSize(CAP);
    wiremock.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(body).withChunkedDribbleDelay(16, 200)));
    node = esignglobalBroker();

    JsonObject reply = node.request(Addresses.get("esignglobal"), null);

    assertEquals(new JsonObject(body).getString("access_token"), reply.getString("access_token"));
  }

  /** A token endpoint written byte by byte: once a request arrives it runs {@code answer}. */
  private static final class RawProvider {
    private final int port;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private RawProvider(int port) {
      this.port = port;
    }

    static RawProvider start(Vertx vertx, BiConsumer<NetSocket, Vertx> answer) {
      RawProvider[] self = new RawProvider[1];
      NetServer server = vertx.createNetServer().connectHandler(socket -> {
        self[0].connections.incrementAndGet();
        socket.closeHandler(v -> self[0].closed.set(true));
        AtomicBoolean answered = new AtomicBoolean();
        socket.handler(request -> {
          if (answered.compareAndSet(false, true)) {
            answer.accept(socket, vertx);
          }
        });
      });
      Await.result(server.listen(0, "127.0.0.1"));
      self[0] = new RawProvider(server.actualPort());
      return self[0];
    }

    String url() {
      return "http://127.0.0.1:" + port + "/token";
    }

    /** Whether a connection was made and then closed. */
    boolean closed() {
      return connections.get() > 0 && closed.get();
    }
  }
}
