package dev.tokenbroker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/tokens} over HTTP: states from real rotations, filters, paging through the headers, 400s. */
class TokenListTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withTransformers("response-template")
        .withBody("{\"access_token\":\"secret-{{randomValue length=12 type='ALPHANUMERIC'}}\",\"expires_in\":3600,\"token_type\":\"bearer\"}")));
    JsonObject accounts = new JsonObject();
    for (String a : List.of("a1", "a2", "a3", "a4", "a5")) {
      accounts.put(a, new JsonObject().put("client-id", "id-" + a).put("client-secret", "s-" + a));
    }
    node = broker.start(TestConfigs.broker(new JsonObject().put("esignglobal",
        TestConfigs.esignglobal(provider.baseUrl()).put("accounts", accounts).put("timeout-seconds", 10))));
    http = broker.http(node);
  }

  @Test
  void pagesFollowTheNextCursorHeaderUntilTheLastPage() {
    for (String a : List.of("a3", "a1", "default", "a5", "a2", "a4")) {
      assertEquals(200, http.get("/v1/tokens/esignglobal?account=" + a).statusCode());
    }
    List<String> seen = new ArrayList<>();
    String uri = "/v1/tokens?limit=4";
    int pages = 0;
    while (uri != null) {
      HttpResponse<Buffer> page = http.get(uri);
      assertEquals(200, page.statusCode(), page.bodyAsString());
      page.bodyAsJsonArray().forEach(o -> seen.add(((JsonObject) o).getString("account")));
      String cursor = page.getHeader(TokenRoutes.NEXT_CURSOR);
      if (cursor != null) {
        assertTrue(page.getHeader("Link").contains("cursor=" + cursor) && page.getHeader("Link").endsWith("rel=\"next\""),
            page.getHeader("Link"));
      }
      uri = cursor == null ? null : "/v1/tokens?limit=4&cursor=" + cursor;
      pages++;
    }
    assertEquals(2, pages);
    assertEquals(List.of("a1", "a2", "a3", "a4", "a5", "default"), seen);
  }

  @Test
  void aRotationInFlightIsListedAsRefreshing() {
    assertEquals(200, http.get("/v1/tokens/esignglobal?account=a1").statusCode());
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withFixedDelay(4000).withBody(TestConfigs.tokenJson("slow", 3600))));
    var forced = broker.webClient(node.vertx).post(node.httpPort(), "127.0.0.1", "/v1/tokens/esignglobal/refresh?account=a1")
        .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY).send();
    Await.until("the provider is called", Duration.ofSeconds(5), () -> provider.calls(PATH) == 2);

    JsonArray refreshing = http.get("/v1/tokens?state=refreshing").bodyAsJsonArray();

    assertEquals(1, refreshing.size(), refreshing.encode());
    assertEquals("a1", refreshing.getJsonObject(0).getString("account"));
    assertEquals(200, Await.result(forced).statusCode());
    assertEquals("valid", http.get("/v1/tokens?account=a1").bodyAsJsonArray().getJsonObject(0).getString("state"));
    assertEquals(2L, http.get("/v1/tokens?account=a1").bodyAsJsonArray().getJsonObject(0).getLong("version"));
  }

  @Test
  void aFailedRefreshIsListedAsFailingWithItsErrorAndRetryTime() {
    assertEquals(200, http.get("/v1/tokens/esignglobal?account=a2").statusCode());
    assertEquals(200, http.get("/v1/tokens/esignglobal?account=a3").statusCode());
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503)));
    assertEquals(502, http.post("/v1/tokens/esignglobal/refresh?account=a2").statusCode(), "a provider 5xx");

    HttpResponse<Buffer> list = http.get("/v1/tokens?state=failing,authorization_required&provider=esignglobal");

    JsonArray failing = list.bodyAsJsonArray();
    assertEquals(1, failing.size(), failing.encode());
    JsonObject row = failing.getJsonObject(0);
    assertEquals("a2", row.getString("account"));
    assertEquals("failing", row.getString("state"));
    assertTrue(row.getString("last_error").startsWith("provider_error"), row.getString("last_error"));
    assertNotNull(row.getLong("retry_at"));
    assertEquals(1, row.getInteger("failures"));
    assertEquals(1L, row.getLong("version"));
    assertNull(row.getLong("refresh_expires_at"));
    assertFalse(list.bodyAsString().contains("secret-"), "no access token in the list");
    assertEquals("valid", http.get("/v1/tokens?account=a3").bodyAsJsonArray().getJsonObject(0).getString("state"));
  }

  @Test
  void badFiltersAreRefusedWithInvalidRequest() {
    for (String query : List.of("limit=0", "limit=5000", "state=broken", "provider=nope", "cursor=%21%21", "account=a%2Fb",
        "limit=1&limit=2")) {
      HttpResponse<Buffer> r = http.get("/v1/tokens?" + query);
      assertEquals(400, r.statusCode(), query);
      assertEquals("invalid_request", r.bodyAsJsonObject().getString("error"), query);
    }
  }
}
