package dev.tokenbroker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.SockJs;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Server-Sent Events, the SockJS event-bus bridge and the Prometheus endpoint. */
class EventsAndMetricsTest {
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("ev-token", 3600))));
    JsonObject esignglobal = TestConfigs.esignglobal(provider.baseUrl()).put("accounts", new JsonObject()
        .put("secret-customer-name", new JsonObject().put("client-id", "customer-id").put("client-secret", "customer-secret")));
    node = broker.start(TestConfigs.broker(new JsonObject().put("esignglobal", esignglobal)));
    http = broker.http(node);
  }

  @Test
  void serverSentEventsStreamRotations() {
    StringBuffer stream = new StringBuffer();
    HttpClient client = broker.httpClient(node.vertx);
    HttpClientResponse response = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setPort(node.httpPort()).setHost("127.0.0.1").setURI("/v1/events")
            .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY))
        .compose(req -> req.send()));
    assertEquals(200, response.statusCode());
    assertTrue(response.getHeader("Content-Type").startsWith("text/event-stream"));
    response.handler(chunk -> stream.append(chunk.toString()));

    http.get("/v1/tokens/esignglobal");

    Await.until("a token.rotated event", Duration.ofSeconds(10), () -> stream.toString().contains("event: token.rotated\ndata: {"));
    String data = stream.substring(stream.indexOf("data: ") + 6, stream.indexOf("\n", stream.indexOf("data: ")));
    JsonObject event = new JsonObject(data);
    assertEquals("on_demand", event.getString("reason"));
    assertFalse(stream.toString().contains("ev-token"), "no secret in events");
    Await.result(client.close());
    assertEquals(401, http.send(HttpMethod.GET, "/v1/events", null).statusCode());
  }

  @Test
  void theSockJsBridgeNeedsTheApiKeyInEveryMessage() {
    SockJs ws = broker.sockJs(node);
    List<JsonObject> frames = ws.frames;

    ws.send("token.get.esignglobal", "r1", new JsonObject(), null);
    Await.until("a refusal", Duration.ofSeconds(10), () -> !frames.isEmpty());
    assertEquals("err", frames.get(0).getString("type"));
    assertEquals("rejected", frames.get(0).getString("body"), "no API key in the headers");

    ws.send("token.get.esignglobal", "r2", new JsonObject(), TestConfigs.API_KEY);
    Await.until("the token reply", Duration.ofSeconds(10), () -> frames.size() >= 2);
    assertEquals("rec", frames.get(1).getString("type"));
    assertEquals("r2", frames.get(1).getString("address"));
    assertEquals("ev-token", frames.get(1).getJsonObject("body").getString("access_token"));

    ws.send("token.rotated", "r3", new JsonObject(), TestConfigs.API_KEY);
    Await.until("refusal of a non-permitted address", Duration.ofSeconds(10), () -> frames.size() >= 3);
    assertEquals("access_denied", frames.get(2).getString("body"), "only token.get.* and token.refresh.* are inbound");
    assertEquals(1, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));

    ws.register("token.rotated", null);
    Await.until("refusal of a subscription without the key", Duration.ofSeconds(10), () -> frames.size() >= 4);
    assertEquals("rejected", frames.get(3).getString("body"));
    ws.register("token.rotated", TestConfigs.API_KEY);
    Await.until("the subscription to take effect", Duration.ofSeconds(10), () -> {
      http.post("/v1/tokens/esignglobal/refresh");
      return frames.stream().anyMatch(f -> "token.rotated".equals(f.getString("address")));
    });
    JsonObject event = frames.stream().filter(f -> "token.rotated".equals(f.getString("address"))).findFirst().orElseThrow();
    assertEquals("forced", event.getJsonObject("body").getString("reason"));
    ws.close();
  }

  @Test
  void metricsCountRequestsAndProviderCallsWithoutAccountsOrSecrets() {
    http.get("/v1/tokens/esignglobal?account=secret-customer-name");
    http.get("/v1/tokens/esignglobal?account=secret-customer-name");

    String text = http.send(HttpMethod.GET, "/metrics", null).bodyAsString();

    assertTrue(text.contains("tokenbroker_token_requests_total{outcome=\"hit\",provider=\"esignglobal\"} 1.0"), text);
    assertTrue(text.contains("tokenbroker_token_requests_total{outcome=\"miss\",provider=\"esignglobal\"} 1.0"));
    assertTrue(text.contains("tokenbroker_provider_calls_seconds_count{outcome=\"ok\",provider=\"esignglobal\"} 1"));
    assertTrue(text.contains("tokenbroker_rotations_total{provider=\"esignglobal\",reason=\"on_demand\"} 1.0"));
    assertTrue(text.contains("tokenbroker_tokens_stored 1.0"));
    assertTrue(text.contains("tokenbroker_http_requests_seconds_count{method=\"GET\",route=\"/v1/tokens/{provider}\",status=\"200\"} 2"),
        text);
    assertFalse(text.contains("secret-customer-name"));
    assertFalse(text.contains("ev-token"));
  }
}
