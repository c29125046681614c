package dev.tokenbroker.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Web Client helper against WireMock as the provider's API: a 401 is retried once, and only once. */
class ClientAuthorizedRequestsTest {
  private static final String API_PATH = "/api/envelopes";

  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private WireMockServer api;
  private BrokerNode node;
  private BusRequests bus;
  private TokenClient tokens;
  private WebClient web;
  private AuthorizedRequests requests;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withTransformers("response-template")
        .withBody("{\"access_token\":\"tok-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"expires_in\":3600,\"token_type\":\"bearer\"}")));
    api = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(10).jettyAcceptors(1));
    api.start();
    broker.closeAfterNodes("the API double", api::stop);
    node = broker.start(TestConfigs.broker(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()))), MutableClock.startingNow());
    bus = BusRequests.record(node.vertx);
    tokens = TokenClient.create(node.vertx);
    web = broker.webClient(node.vertx);
    requests = AuthorizedRequests.create(tokens, "esignglobal");
  }

  /** The API refuses the first request (an early revocation), then accepts. */
  private void refuseOnce() {
    api.stubFor(any(urlPathEqualTo(API_PATH)).inScenario("revoked").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(401)).willSetStateTo("accepting"));
    api.stubFor(any(urlPathEqualTo(API_PATH)).inScenario("revoked").whenScenarioStateIs("accepting")
        .willReturn(aResponse().withStatus(200).withBody("ok")));
  }

  private List<LoggedRequest> apiRequests() {
    return api.findAll(anyRequestedFor(urlPathEqualTo(API_PATH)));
  }

  private static String bearer(LoggedRequest request) {
    return request.getHeader("Authorization");
  }

  @Test
  void sendsTheTokenAsBearer() {
    api.stubFor(any(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(200)));
    HttpResponse<Buffer> response = Await.result(requests.send(web.get(api.port(), "127.0.0.1", API_PATH)));
    assertEquals(200, response.statusCode());
    AccessToken token = Await.result(tokens.get("esignglobal"));
    assertEquals("Bearer " + token.value(), bearer(apiRequests().get(0)));
  }

  @Test
  void a401IsRetriedOnceWithANewerToken() {
    refuseOnce();
    HttpResponse<Buffer> response = Await.result(requests.send(web.get(api.port(), "127.0.0.1", API_PATH)));
    assertEquals(200, response.statusCode());
    List<LoggedRequest> sent = apiRequests();
    assertEquals(2, sent.size());
    assertNotEquals(bearer(sent.get(0)), bearer(sent.get(1)));
    assertEquals(List.of(1L), bus.rejectedVersions(), "the refused version is reported once");
    assertEquals(2, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));
  }

  @Test
  void aSecond401IsReturnedWithoutAnotherRetry() {
    api.stubFor(any(urlPathEqualTo(API_PATH)).willReturn(aResponse().withStatus(401)));
    HttpResponse<Buffer> response = Await.result(requests.send(web.get(api.port(), "127.0.0.1", API_PATH)));
    assertEquals(401, response.statusCode());
    assertEquals(2, apiRequests().size(), "the request and one retry, not more");
    assertEquals(List.of(1L), bus.rejectedVersions());
    assertEquals(2, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));
  }

  @Test
  void aBufferBodyIsSentAgainOnTheRetry() {
    refuseOnce();
    HttpResponse<Buffer> response = Await.result(requests.sendJson(web.post(api.port(), "127.0.0.1", API_PATH),
        new JsonObject().put("subject", "contract")));
    assertEquals(200, response.statusCode());
    List<LoggedRequest> sent = apiRequests();
    assertEquals(2, sent.size());
    for (LoggedRequest request : sent) {
      assertEquals("{\"subject\":\"contract\"}", request.getBodyAsString());
      assertEquals("application/json", request.getHeader("Content-Type"));
    }
  }

  @Test
  void aStreamedBodyIsNotRetriedButTheTokenIsReported() throws Exception {
    refuseOnce();
    java.nio.file.Path file = java.nio.file.Files.createTempFile("body", ".txt");
    java.nio.file.Files.writeString(file, "streamed");
    ReadStream<Buffer> body = Await.result(node.vertx.fileSystem().open(file.toString(), new io.vertx.core.file.OpenOptions().setRead(true)));
    HttpResponse<Buffer> response = Await.result(requests.sendStream(web.post(api.port(), "127.0.0.1", API_PATH), body));
    assertEquals(401, response.statusCode());
    assertEquals(1, apiRequests().size());
    assertEquals(List.of(1L), bus.rejectedVersions());

    assertEquals(200, Await.result(requests.send(web.get(api.port(), "127.0.0.1", API_PATH))).statusCode());
    List<LoggedRequest> sent = apiRequests();
    assertNotEquals(bearer(sent.get(0)), bearer(sent.get(1)), "the next request carries the newer token");
    java.nio.file.Files.deleteIfExists(file);
  }
}
