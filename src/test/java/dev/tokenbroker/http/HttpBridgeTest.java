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
import dev.tokenbroker.support.SuiteReport;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP bridge over real HTTP. */
class HttpBridgeTest {
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private WebClient client;
  private Http http;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("http-token", 3600))));
    node = broker.start(TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()))));
    client = broker.webClient(node.vertx);
    http = broker.http(node);
  }

  private HttpResponse<Buffer> send(HttpMethod method, String uri, String apiKey) {
    return http.send(method, uri, apiKey);
  }

  private HttpResponse<Buffer> get(String uri) {
    return http.get(uri);
  }

  @Test
  void answersATokenWithAValidApiKey() {
    HttpResponse<Buffer> r = get("/v1/tokens/esignglobal?min_validity=60");
    assertEquals(200, r.statusCode());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("http-token", body.getString("access_token"));
    assertEquals("esignglobal", body.getString("provider"));
    assertEquals("default", body.getString("account"));
    assertEquals("Bearer", body.getString("token_type"));
    assertEquals("no-store", r.getHeader("Cache-Control"));
  }

  /** The common form of the path is served before the router; the forms the router normalizes get the same answers. */
  @Test
  void everyFormOfTheTokenPathGetsTheSameAnswers() {
    JsonObject plain = get("/v1/tokens/esignglobal").bodyAsJsonObject();
    for (String path : List.of("/v1/tokens/esign%67lobal", "/v1/tokens/./esignglobal", "/v1/x/../tokens/esignglobal")) {
      HttpResponse<Buffer> r = get(path);
      assertEquals(200, r.statusCode(), path + ": " + r.bodyAsString());
      assertEquals(plain.getString("access_token"), r.bodyAsJsonObject().getString("access_token"), path);
      assertEquals(plain.getLong("version"), r.bodyAsJsonObject().getLong("version"), path);
    }
    for (String path : List.of("/v1/tokens/nobody", "/v1/tokens/nob%6Fdy")) {
      HttpResponse<Buffer> r = get(path);
      assertEquals(404, r.statusCode(), path);
      assertEquals("unknown_provider", r.bodyAsJsonObject().getString("error"), path);
      assertEquals("no-store", r.getHeader("Cache-Control"), path);
    }
    for (String path : List.of("/v1/tokens/esignglobal", "/v1/tokens/esign%67lobal")) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, path, "wrong-key");
      assertEquals(401, r.statusCode(), path);
      assertEquals("unauthorized", r.bodyAsJsonObject().getString("error"), path);
    }
    assertEquals("esignglobal", FastLane.plainProvider("/v1/tokens/esignglobal"));
    for (String path : List.of("/v1/tokens/", "/v1/tokens/-a", "/v1/tokens/A", "/v1/tokens/a/b", "/v1/tokens/a%2F", "/v1/tokensx",
        "/v1/tokens/" + "a".repeat(33))) {
      assertEquals(null, FastLane.plainProvider(path), path);
    }
  }

  @Test
  void rejectedVersionsRotateOnlyTheCurrentVersion() {
    String path = ProviderDouble.ESIGNGLOBAL_PATH;
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> r = get("/v1/tokens/esignglobal?rejected_version=7");
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(1L, r.bodyAsJsonObject().getLong("version"));
    }
    assertEquals(1, provider.calls(path), "a version the broker never issued causes no rotation");

    assertEquals(2L, get("/v1/tokens/esignglobal?rejected_version=1").bodyAsJsonObject().getLong("version"));
    assertEquals(2, provider.calls(path));
    assertEquals(2L, get("/v1/tokens/esignglobal?rejected_version=1").bodyAsJsonObject().getLong("version"));
    assertEquals(2L, get("/v1/tokens/esignglobal?rejected_version=5").bodyAsJsonObject().getLong("version"));
    assertEquals(2, provider.calls(path));

    assertEquals(200, send(HttpMethod.DELETE, "/v1/tokens/esignglobal", TestConfigs.API_KEY).statusCode());
    HttpResponse<Buffer> afterDelete = get("/v1/tokens/esignglobal?rejected_version=2");
    assertEquals(200, afterDelete.statusCode());
    assertEquals(1L, afterDelete.bodyAsJsonObject().getLong("version"), "a new token, obtained like a plain get");
    assertEquals(3, provider.calls(path));
  }

  @Test
  void refusesRequestsWithoutOrWithAWrongKey() {
    for (String key : new String[] {null, "wrong-key", ""}) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, "/v1/tokens/esignglobal", key);
      assertEquals(401, r.statusCode(), "key " + key);
      assertEquals("unauthorized", r.bodyAsJsonObject().getString("error"));
      assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"));
    }
    HttpResponse<Buffer> basic = Await.result(client.get(node.httpPort(), "127.0.0.1", "/v1/tokens/esignglobal")
        .putHeader("Authorization", "Basic " + TestConfigs.API_KEY).send());
    assertEquals(401, basic.statusCode());
    assertEquals(0, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH));
  }

  @Test
  void badQueryValuesAreBadRequests() {
    String[][] cases = {
        {"/v1/tokens/esignglobal?min_validity=abc", "min_validity must be a whole number"},
        {"/v1/tokens/esignglobal?min_validity=-5", "min_validity must not be negative"},
        {"/v1/tokens/esignglobal?account=..%2Fetc", "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
        {"/v1/tokens/esignglobal?account=a&account=b", "account may be given only once"},
        {"/v1/tokens/esignglobal?rejected_version=1.5", "rejected_version must be a whole number"},
        {"/v1/tokens/esignglobal?min_validity=99999999999999999999", "min_validity must be a whole number"},
        {"/v1/tokens/esignglobal?account=%E2%9C%93", "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
        {"/v1/tokens/esignglobal?account=", "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}"},
    };
    for (String[] c : cases) {
      SuiteReport.BAD_INPUTS.incrementAndGet();
      HttpResponse<Buffer> r = get(c[0]);
      assertEquals(400, r.statusCode(), c[0]);
      assertEquals(new JsonObject().put("error", "invalid_request").put("error_description", c[1]), r.bodyAsJsonObject());
      SuiteReport.CLEAR_ERRORS.incrementAndGet();
    }
    assertEquals(0, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH), "no bad request reaches the provider");
  }

  @Test
  void unknownProviderIs404AndUnknownRoutesAndMethodsAreJson() {
    HttpResponse<Buffer> unknown = get("/v1/tokens/nobody");
    assertEquals(404, unknown.statusCode());
    assertEquals("unknown_provider", unknown.bodyAsJsonObject().getString("error"));

    HttpResponse<Buffer> route = get("/v1/nothing-here");
    assertEquals(404, route.statusCode());
    assertEquals("not_found", route.bodyAsJsonObject().getString("error"));

    HttpResponse<Buffer> method = send(HttpMethod.PATCH, "/v1/tokens/esignglobal", TestConfigs.API_KEY);
    assertEquals(405, method.statusCode());
    assertEquals("method_not_allowed", method.bodyAsJsonObject().getString("error"));
  }

  @Test
  void healthAndReadinessNeedNoKey() {
    HttpResponse<Buffer> health = send(HttpMethod.GET, "/health", null);
    assertEquals(200, health.statusCode());
    assertEquals("UP", health.bodyAsJsonObject().getString("status"));
    HttpResponse<Buffer> ready = send(HttpMethod.GET, "/ready", null);
    assertEquals(200, ready.statusCode());
    assertEquals("UP", ready.bodyAsJsonObject().getString("status"));
  }

  @Test
  void pathTricksAndOversizedHeadersGetClearErrors() {
    String[][] cases = {
        {"/v1/tokens/..%2F..%2Fetc", "404"},
        {"/v1/tokens/ESIGNGLOBAL", "404"},
        {"/v1/tokens/esignglobal/../../health", "404"},
    };
    for (String[] c : cases) {
      SuiteReport.BAD_INPUTS.incrementAndGet();
      HttpResponse<Buffer> r = get(c[0]);
      assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + " " + r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().containsKey("error_description"));
      SuiteReport.CLEAR_ERRORS.incrementAndGet();
    }
    SuiteReport.BAD_INPUTS.incrementAndGet();
    HttpResponse<Buffer> huge = Await.result(client.get(node.httpPort(), "127.0.0.1", "/v1/tokens/esignglobal")
        .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY).putHeader("X-Padding", "x".repeat(20_000)).send());
    assertEquals(431, huge.statusCode());
    SuiteReport.CLEAR_ERRORS.incrementAndGet();
  }

  @Test
  void oversizedBodiesAreRefused() {
    HttpResponse<Buffer> r = Await.result(client.post(node.httpPort(), "127.0.0.1", "/v1/tokens/esignglobal/refresh")
        .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY)
        .sendBuffer(Buffer.buffer(new byte[70 * 1024])));
    assertEquals(413, r.statusCode());
    assertEquals("request_too_large", r.bodyAsJsonObject().getString("error"));
  }

  @Test
  void listsTokensWithoutSecretsAndForgetsThem() {
    get("/v1/tokens/esignglobal");
    HttpResponse<Buffer> list = get("/v1/tokens");
    assertEquals(200, list.statusCode());
    JsonObject entry = list.bodyAsJsonArray().getJsonObject(0);
    assertEquals("valid", entry.getString("state"));
    assertFalse(list.bodyAsString().contains("http-token"));

    assertEquals(200, send(HttpMethod.DELETE, "/v1/tokens/esignglobal", TestConfigs.API_KEY).statusCode());
    assertTrue(get("/v1/tokens").bodyAsJsonArray().isEmpty());
  }
}
