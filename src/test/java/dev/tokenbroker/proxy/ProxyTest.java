package dev.tokenbroker.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import com.github.tomakehurst.wiremock.client.WireMock;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /v1/proxy/<provider>/<path>} against WireMock playing both the provider's token endpoint
 * and its API (eSignGlobal preset: the API base is {@code {base-url}/esignglobal/v1}). Assertions
 * are on what the API received and on the token endpoint's exact call count.
 */
class ProxyTest {
  private static final String TOKEN_PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  private static final String API = "/esignglobal/v1";
  private static final String READ_ONLY_KEY = "key-that-only-reads";
  private static final String OTHER_ONLY_KEY = "key-that-proxies-other-only";
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");

  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private MutableClock clock;
  private BrokerNode node;
  private WebClient client;

  @BeforeEach
  void start() {
    provider.stubLifetimes(TOKEN_PATH, 3600, 3600, 3600, 3600);
    provider.stubLifetimes("/other/token", 3600);
  }

  private void startBroker(Consumer<JsonObject> adjust) {
    JsonObject providers = new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()).put("proxy-timeout-seconds", 1))
        .put("other", new JsonObject().put("token-url", provider.baseUrl() + "/other/token")
            .put("client-id", "c").put("client-secret", "s").put("api-base-url", provider.baseUrl() + "/other-api/"))
        .put("noapi", new JsonObject().put("token-url", provider.baseUrl() + "/other/token")
            .put("client-id", "c").put("client-secret", "s"));
    JsonObject config = TestConfigs.broker(providers);
    JsonArray keys = config.getJsonObject("http").getJsonArray("api-keys");
    keys.add(new JsonObject().put("name", "read-only").put("sha256", Secret.sha256Hex(READ_ONLY_KEY))
        .put("actions", new JsonArray().add("read")));
    keys.add(new JsonObject().put("name", "other-only").put("sha256", Secret.sha256Hex(OTHER_ONLY_KEY))
        .put("providers", new JsonArray().add("other")).put("actions", new JsonArray().add("proxy")));
    config.getJsonObject("http").put("proxy-max-body-bytes", 4 * 1024 * 1024);
    adjust.accept(config);
    clock = MutableClock.startingNow();
    node = broker.start(config, clock);
    client = broker.webClient(node.vertx);
  }

  private void startBroker() {
    startBroker(c -> {});
  }

  private HttpResponse<Buffer> send(HttpMethod method, String uri, String apiKey, MultiMap headers, Buffer body) {
    HttpRequest<Buffer> request = client.request(method, node.httpPort(), "127.0.0.1", uri).followRedirects(false);
    if (headers != null) {
      request.putHeaders(headers);
    }
    request.putHeader("Authorization", "Bearer " + apiKey);
    return Await.result(body == null ? request.send() : request.sendBuffer(body));
  }

  private HttpResponse<Buffer> get(String uri) {
    return send(HttpMethod.GET, uri, TestConfigs.API_KEY, null, null);
  }

  /** Requests that reached the API (anything but the token endpoints), newest first. */
  private List<LoggedRequest> apiCalls() {
    return provider.server.getAllServeEvents().stream().map(e -> e.getRequest())
        .filter(r -> !r.getUrl().startsWith(TOKEN_PATH) && !r.getUrl().startsWith("/other/token")).toList();
  }

  private void stubApi(int status, String body) {
    // everything under the API base but the token endpoint
    provider.stub(any(urlPathMatching(API + "/(?!oauth2/).*")).willReturn(aResponse().withStatus(status).withBody(body)));
  }

  @Test
  void forwardsWithTheAccountsTokenAndWithoutTheCallersCredentials() {
    startBroker();
    provider.stub(WireMock.get(urlPathEqualTo(API + "/documents/123")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withHeader("X-Upstream", "yes")
        .withHeader("Set-Cookie", "session=secret").withBody("{\"id\":123}")));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Cookie", "caller=1").add("Token-Broker-Account", "default").add("X-Forwarded-For", "10.0.0.1")
        .add("Forwarded", "for=10.0.0.1").add("X-Request-Id", "abc").add("Accept", "application/json");

    HttpResponse<Buffer> r = send(HttpMethod.GET, "/v1/proxy/esignglobal/documents/123?b=2&a=1%20x&a=3",
        TestConfigs.API_KEY, headers, null);

    assertEquals(200, r.statusCode());
    assertEquals("{\"id\":123}", r.bodyAsString());
    assertEquals("yes", r.getHeader("X-Upstream"));
    assertNull(r.getHeader("Set-Cookie"));
    LoggedRequest sent = apiCalls().get(0);
    assertEquals(API + "/documents/123?b=2&a=1%20x&a=3", sent.getUrl());
    Token token = node.store().cached(KEY);
    assertEquals("Bearer " + token.accessToken().reveal(), sent.getHeader("Authorization"));
    assertEquals("abc", sent.getHeader("X-Request-Id"));
    assertEquals("application/json", sent.getHeader("Accept"));
    for (String dropped : List.of("Cookie", "Token-Broker-Account", "X-Forwarded-For", "Forwarded")) {
      assertTrue(!sent.containsHeader(dropped), dropped + " must not be forwarded");
    }
    assertEquals(1, provider.calls(TOKEN_PATH));
  }

  @Test
  void forwardsToTheConfiguredApiBaseOfAProviderWithoutPreset() {
    startBroker();
    provider.stub(post(urlPathEqualTo("/other-api/things")).willReturn(aResponse().withStatus(201).withBody("made")));
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/proxy/other/things", TestConfigs.API_KEY, null, Buffer.buffer("{\"a\":1}"));
    assertEquals(201, r.statusCode());
    assertEquals("made", r.bodyAsString());
    assertEquals("{\"a\":1}", apiCalls().get(0).getBodyAsString());
  }

  @Test
  void redirectsAreReturnedNotFollowed() {
    startBroker();
    provider.stub(WireMock.get(urlPathEqualTo(API + "/moved")).willReturn(aResponse().withStatus(302)
        .withHeader("Location", provider.baseUrl() + API + "/elsewhere")));
    HttpResponse<Buffer> r = get("/v1/proxy/esignglobal/moved");
    assertEquals(302, r.statusCode());
    assertEquals(provider.baseUrl() + API + "/elsewhere", r.getHeader("Location"));
    assertEquals(1, apiCalls().size());
  }

  @Test
  void largeBodiesRoundTripBothWays() {
    startBroker();
    byte[] upload = new byte[3 * 1024 * 1024];
    byte[] download = new byte[3 * 1024 * 1024 + 17];
    new Random(1).nextBytes(upload);
    new Random(2).nextBytes(download);
    provider.stub(post(urlPathEqualTo(API + "/files")).willReturn(aResponse().withStatus(200).withBody("stored")));
    provider.stub(WireMock.get(urlPathEqualTo(API + "/files/1")).willReturn(aResponse().withStatus(200).withBody(download)));

    HttpResponse<Buffer> up = send(HttpMethod.POST, "/v1/proxy/esignglobal/files", TestConfigs.API_KEY, null, Buffer.buffer(upload));
    HttpResponse<Buffer> down = get("/v1/proxy/esignglobal/files/1");

    assertEquals(200, up.statusCode());
    assertArrayEquals(upload, apiCalls().stream().filter(c -> c.getMethod().getName().equals("POST")).findFirst().orElseThrow().getBody());
    assertEquals(200, down.statusCode());
    assertArrayEquals(download, down.body().getBytes());
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413BeforeAnythingIsSent() {
    startBroker();
    stubApi(200, "ok");
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/proxy/esignglobal/files", TestConfigs.API_KEY, null,
        Buffer.buffer(new byte[4 * 1024 * 1024 + 1]));
    assertEquals(413, r.statusCode());
    assertEquals("request_too_large", r.bodyAsJsonObject().getString("error"));
    assertEquals(0, apiCalls().size());
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWith413AndCutBeforeTheApiHasItWhole() throws IOException {
    startBroker();
    stubApi(200, "ok");
    Path file = Files.createTempFile("upload", ".bin");
    try {
      Files.write(file, new byte[4 * 1024 * 1024 + 1]);
      AsyncFile body = Await.result(node.vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true)));
      // no Content-Length: the size is only known once the limit is passed, after the head went upstream
      HttpResponse<Buffer> r = Await.result(client.request(HttpMethod.PUT, node.httpPort(), "127.0.0.1", "/v1/proxy/esignglobal/files")
          .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY).sendStream(body));
      assertEquals(413, r.statusCode());
      assertEquals("request_too_large", r.bodyAsJsonObject().getString("error"));
      assertEquals(0, apiCalls().size());
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void anAnswerDeclaredOverTheLimitIsRefusedWith413() {
    startBroker();
    int size = 4 * 1024 * 1024 + 1;
    provider.stub(WireMock.get(urlPathEqualTo(API + "/huge")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Length", Integer.toString(size)).withBody(new byte[size])));
    HttpResponse<Buffer> r = get("/v1/proxy/esignglobal/huge");
    assertEquals(413, r.statusCode());
    assertEquals("request_too_large", r.bodyAsJsonObject().getString("error"));
  }

  @Test
  void aStreamedAnswerOverTheLimitIsCutRatherThanRelayedWhole() {
    startBroker();
    provider.stub(WireMock.get(urlPathEqualTo(API + "/huge")).willReturn(aResponse().withStatus(200)
        .withHeader("Transfer-Encoding", "chunked").withBody(new byte[4 * 1024 * 1024 + 1])));
    Future<HttpResponse<Buffer>> answer = client.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", "/v1/proxy/esignglobal/huge")
        .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY).send();
    Throwable cut = Await.failure(answer);
    assertTrue(cut instanceof io.vertx.core.http.HttpClosedException || cut instanceof io.vertx.core.VertxException, cut.toString());
  }

  /**
   * An API that answers the first request on a connection and closes the connection when a second
   * one arrives on it: what a kept-alive connection looks like when the API's idle timeout closes
   * it as a request goes out. Counts the requests it received and the connections they came on.
   */
  private static final class ClosingApi implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    final int port;

    ClosingApi() {
      io.vertx.core.net.NetServer server = vertx.createNetServer().connectHandler(socket -> {
        connections.incrementAndGet();
        StringBuilder received = new StringBuilder();
        int[] answered = {0};
        socket.handler(data -> {
          received.append(data.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
          int end;
          while ((end = received.indexOf("\r\n\r\n")) >= 0) {
            received.delete(0, end + 4);
            requests.incrementAndGet();
            if (answered[0]++ == 0) {
              socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            } else {
              socket.close();
            }
          }
        });
      });
      port = Await.result(server.listen(0, "127.0.0.1")).actualPort();
    }

    @Override
    public void close() {
      Await.result(vertx.close());
    }
  }

  /** The provider {@code other}'s API base on a local port. */
  private void startBrokerWithOtherApiOn(int port) {
    startBroker(c -> c.getJsonObject("providers").getJsonObject("other").put("api-base-url", "http://127.0.0.1:" + port));
  }

  @Test
  void aGetWhoseKeptAliveConnectionClosesUnderItIsSentOnceMoreOnANewOne() {
    try (ClosingApi api = new ClosingApi()) {
      startBrokerWithOtherApiOn(api.port);
      HttpResponse<Buffer> first = send(HttpMethod.GET, "/v1/proxy/other/a", TestConfigs.API_KEY, null, null);
      HttpResponse<Buffer> second = send(HttpMethod.GET, "/v1/proxy/other/b", TestConfigs.API_KEY, null, null);

      assertEquals(200, first.statusCode());
      assertEquals(200, second.statusCode(), second.bodyAsString());
      assertEquals("ok", second.bodyAsString());
      // the second GET met the closing connection, then went once more on a new one
      assertEquals(3, api.requests.get());
      assertEquals(2, api.connections.get());
    }
  }

  @Test
  void aPostWhoseConnectionClosesUnderItIsNotSentAgain() {
    try (ClosingApi api = new ClosingApi()) {
      startBrokerWithOtherApiOn(api.port);
      HttpResponse<Buffer> first = send(HttpMethod.POST, "/v1/proxy/other/a", TestConfigs.API_KEY, null, null);
      HttpResponse<Buffer> second = send(HttpMethod.POST, "/v1/proxy/other/b", TestConfigs.API_KEY, null, null);

      assertEquals(200, first.statusCode());
      assertEquals(502, second.statusCode());
      assertEquals("upstream_unavailable", second.bodyAsJsonObject().getString("error"));
      assertEquals(2, api.requests.get());
      assertEquals(1, api.connections.get());
    }
  }

  /** The API refuses the first token and accepts the second. */
  private void stubApiAcceptingOnlyTheSecondToken() {
    provider.stub(WireMock.get(urlPathEqualTo(API + "/me")).withHeader("Authorization", matching("Bearer t1-.*"))
        .willReturn(aResponse().withStatus(401).withBody("{\"message\":\"token revoked\"}")));
    provider.stub(WireMock.get(urlPathEqualTo(API + "/me")).withHeader("Authorization", matching("Bearer t2-.*"))
        .willReturn(aResponse().withStatus(200).withBody("me")));
  }

  @Test
  void anUpstream401RotatesTheTokenOnceAndRetriesOnce() {
    startBroker();
    stubApiAcceptingOnlyTheSecondToken();
    HttpResponse<Buffer> r = get("/v1/proxy/esignglobal/me");
    assertEquals(200, r.statusCode());
    assertEquals("me", r.bodyAsString());
    assertEquals(2, provider.calls(TOKEN_PATH));
    assertEquals(2, apiCalls().size());
    assertEquals(2, node.store().cached(KEY).version());
  }

  @Test
  void aReplayablePostIsRetriedWithItsBodyAfterA401() {
    startBroker();
    provider.stub(post(urlPathEqualTo(API + "/envelopes")).withHeader("Authorization", matching("Bearer t1-.*"))
        .willReturn(aResponse().withStatus(401)));
    provider.stub(post(urlPathEqualTo(API + "/envelopes")).withHeader("Authorization", matching("Bearer t2-.*"))
        .willReturn(aResponse().withStatus(201).withBody("created")));
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/v1/proxy/esignglobal/envelopes", TestConfigs.API_KEY, null,
        Buffer.buffer("{\"name\":\"contract\"}"));
    assertEquals(201, r.statusCode());
    assertEquals(List.of("{\"name\":\"contract\"}", "{\"name\":\"contract\"}"),
        apiCalls().stream().map(LoggedRequest::getBodyAsString).toList());
  }

  @Test
  void concurrentCallersDuringARevocationShareOneNewToken() {
    startBroker();
    stubApiAcceptingOnlyTheSecondToken();
    Await.result(node.service().get(KEY, 0, null));
    int callers = 12;
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      answers.add(client.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", "/v1/proxy/esignglobal/me")
          .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY).send());
    }
    for (Future<HttpResponse<Buffer>> answer : answers) {
      assertEquals(200, Await.result(answer).statusCode());
    }
    assertEquals(2, provider.calls(TOKEN_PATH), "one token before the revocation, one new token for all callers");
  }

  @Test
  void anApiThatRefusesEveryTokenCausesOneRotationPerThirtySeconds() {
    startBroker();
    stubApi(401, "{\"message\":\"no\"}");
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> r = get("/v1/proxy/esignglobal/me");
      assertEquals(401, r.statusCode());
      assertEquals("{\"message\":\"no\"}", r.bodyAsString());
    }
    assertEquals(2, provider.calls(TOKEN_PATH));

    clock.advance(Duration.ofSeconds(31));
    assertEquals(401, get("/v1/proxy/esignglobal/me").statusCode());
    assertEquals(401, get("/v1/proxy/esignglobal/me").statusCode());
    assertEquals(3, provider.calls(TOKEN_PATH));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/../b", "../tokens/esignglobal", "a/%2e%2e/b", "%2E%2E/%2E%2E/x", "a//b", "/evil.example.com/x",
      "a%2fb", "a%5Cb", "a%00b", "a%0d%0aX-Injected:%201", "http:%2f%2fevil.example.com", "https:evil.example.com",
      "%252e%252e/x", "./a", ""})
  void aPathAttackIsRefusedWithoutAnyUpstreamCall(String path) {
    startBroker();
    stubApi(200, "ok");
    HttpResponse<Buffer> r = get("/v1/proxy/esignglobal/" + path);
    assertEquals(400, r.statusCode(), path);
    assertEquals("invalid_request", r.bodyAsJsonObject().getString("error"));
    assertEquals(0, apiCalls().size());
  }

  /** Paths that become /v1/proxy/... only once normalised: the proxy reads paths as written, so they are refused. */
  @ParameterizedTest
  @ValueSource(strings = {"/v1/./proxy/esignglobal/me", "/v1//proxy/esignglobal/me", "/v1/x/../proxy/esignglobal/me"})
  void aPathThatReachesTheProxyOnlyByNormalisationIsRefused(String uri) {
    startBroker();
    stubApi(200, "ok");
    HttpResponse<Buffer> r = get(uri);
    assertEquals(400, r.statusCode(), uri);
    assertEquals("invalid_request", r.bodyAsJsonObject().getString("error"));
    assertEquals(0, apiCalls().size());
  }

  @Test
  void aKeyWithoutTheProxyActionOrTheProviderIsRefusedWithoutAnyUpstreamCall() {
    startBroker();
    stubApi(200, "ok");
    assertEquals(403, send(HttpMethod.GET, "/v1/proxy/esignglobal/me", READ_ONLY_KEY, null, null).statusCode());
    HttpResponse<Buffer> r = send(HttpMethod.GET, "/v1/proxy/esignglobal/me", OTHER_ONLY_KEY, null, null);
    assertEquals(403, r.statusCode());
    assertEquals("forbidden", r.bodyAsJsonObject().getString("error"));
    assertEquals(401, send(HttpMethod.GET, "/v1/proxy/esignglobal/me", "not-a-key", null, null).statusCode());
    assertEquals(0, apiCalls().size());
    assertEquals(0, provider.calls(TOKEN_PATH));
  }

  @Test
  void unknownProvidersAccountsAndMissingApiBasesAreClearErrors() {
    startBroker();
    HttpResponse<Buffer> unknown = get("/v1/proxy/nope/me");
    assertEquals(404, unknown.statusCode());
    assertEquals("unknown_provider", unknown.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> account = send(HttpMethod.GET, "/v1/proxy/esignglobal/me", TestConfigs.API_KEY,
        MultiMap.caseInsensitiveMultiMap().add("Token-Broker-Account", "nobody"), null);
    assertEquals(404, account.statusCode());
    assertEquals("unknown_account", account.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> noBase = get("/v1/proxy/noapi/me");
    assertEquals(400, noBase.statusCode());
    assertTrue(noBase.bodyAsJsonObject().getString("error_description").contains("api-base-url"));
    assertEquals(0, apiCalls().size());
  }

  @Test
  void anApiThatDoesNotAnswerInTimeGets504() {
    startBroker();
    provider.stub(WireMock.get(urlPathEqualTo(API + "/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(5000)));
    HttpResponse<Buffer> r = get("/v1/proxy/esignglobal/slow");
    assertEquals(504, r.statusCode());
    assertEquals("upstream_timeout", r.bodyAsJsonObject().getString("error"));
  }

  @Test
  void anUnreachableApiGets502() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    startBroker(c -> c.getJsonObject("providers").getJsonObject("other")
        .put("api-base-url", "http://127.0.0.1:" + closedPort + "/api"));
    HttpResponse<Buffer> r = get("/v1/proxy/other/things");
    assertEquals(502, r.statusCode());
    assertEquals("upstream_unavailable", r.bodyAsJsonObject().getString("error"));
  }

  @Test
  void proxiedRequestsAreCountedByProviderAndStatus() {
    startBroker();
    stubApi(200, "ok");
    assertEquals(200, get("/v1/proxy/esignglobal/me").statusCode());
    String metrics = get("/metrics").bodyAsString();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tokenbroker_proxy_requests_total{")
        && l.contains("provider=\"esignglobal\"") && l.contains("status=\"200\"")), metrics);
    assertTrue(metrics.contains("tokenbroker_proxy_latency_seconds_bucket"), metrics);
  }
}
