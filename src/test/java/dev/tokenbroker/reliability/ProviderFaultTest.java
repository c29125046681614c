package dev.tokenbroker.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.SuiteReport;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every provider fault we know of, one at a time, against a broker holding a valid token: the
 * caller gets the contract's error, the valid token keeps being served, nothing stored changes,
 * provider calls stay bounded by the backoff, and the broker recovers when the provider heals.
 */
class ProviderFaultTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();

  /** @param response the faulty answer, given the broker's clock (for HTTP dates) */
  record Case(String name, Function<MutableClock, ResponseDefinitionBuilder> response, int status, String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
  }

  static Stream<Case> cases() {
    List<Case> cases = new ArrayList<>(List.of(
        new Case("connection reset", c -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), 503, "provider_unavailable"),
        new Case("empty reply", c -> aResponse().withFault(Fault.EMPTY_RESPONSE), 503, "provider_unavailable"),
        new Case("malformed chunk", c -> aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK), 503, "provider_unavailable"),
        new Case("garbage then close", c -> aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE), 503, "provider_unavailable"),
        new Case("slower than the timeout", c -> okJson(TestConfigs.tokenJson("late", 3600)).withFixedDelay(2500), 503, "provider_unavailable"),
        new Case("malformed JSON", c -> json(200, "{\"access_token\":"), 502, "provider_error"),
        new Case("HTML page with 200", c -> aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>"), 502, "provider_error"),
        new Case("HTML page with 500", c -> aResponse().withStatus(500).withHeader("Content-Type", "text/html").withBody("<html>oops</html>"), 502, "provider_error"),
        new Case("HTTP 502", c -> aResponse().withStatus(502), 502, "provider_error"),
        new Case("HTTP 503", c -> aResponse().withStatus(503).withHeader("Retry-After", "5"), 502, "provider_error"),
        new Case("429 with Retry-After seconds", c -> aResponse().withStatus(429).withHeader("Retry-After", "30"), 429, "rate_limited"),
        new Case("429 with Retry-After date", c -> aResponse().withStatus(429).withHeader("Retry-After",
            DateTimeFormatter.RFC_1123_DATE_TIME.format(c.instant().plusSeconds(90).atZone(ZoneOffset.UTC))), 429, "rate_limited"),
        new Case("200 without access_token", c -> json(200, "{\"token_type\":\"bearer\",\"expires_in\":3600}"), 502, "provider_error"),
        new Case("expires_in zero", c -> json(200, "{\"access_token\":\"x\",\"expires_in\":0}"), 502, "provider_error"),
        new Case("expires_in negative", c -> json(200, "{\"access_token\":\"x\",\"expires_in\":-60}"), 502, "provider_error"),
        new Case("expires_in a word", c -> json(200, "{\"access_token\":\"x\",\"expires_in\":\"soon\"}"), 502, "provider_error"),
        new Case("token_type mac", c -> json(200, "{\"access_token\":\"x\",\"token_type\":\"mac\",\"expires_in\":3600}"), 502, "provider_error")));
    for (String error : List.of("invalid_client", "unauthorized_client", "invalid_scope", "invalid_grant")) {
      for (int status : List.of(400, 401, 403)) {
        cases.add(new Case(error + " with " + status, c -> json(status, "{\"error\":\"" + error + "\",\"error_description\":\"no\"}"),
            502, "provider_error"));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aFaultNeverCostsTheValidTokenAndTheBrokerRecovers(Case fault) {
    SuiteReport.FAULTS_TRIED.incrementAndGet();
    MutableClock clock = MutableClock.startingNow();
    BrokerNode node = broker.start(TestConfigs.broker(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()).put("timeout-seconds", 1))), clock);
    provider.stub(post(urlPathEqualTo(PATH)).inScenario("f").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(okJson(TestConfigs.tokenJson("good", 3600))).willSetStateTo("faulty"));
    provider.stub(post(urlPathEqualTo(PATH)).inScenario("f").whenScenarioStateIs("faulty").willReturn(fault.response().apply(clock)));
    assertEquals("good", node.request(Addresses.get("esignglobal"), null).getString("access_token"));

    ReplyException e = node.requestFailure(Addresses.refresh("esignglobal"), null);
    JsonObject body = new JsonObject(e.getMessage());
    assertEquals(fault.status(), e.failureCode(), body.encode());
    assertEquals(fault.error(), body.getString("error"));
    assertTrue(body.getLong("retry_after") >= 1, "a retry_after with every failure that backs off");
    SuiteReport.CONTRACT_ERRORS.incrementAndGet();

    for (int i = 0; i < 10; i++) {
      node.requestFailure(Addresses.refresh("esignglobal"), null);
    }
    assertEquals(2, provider.calls(PATH), "while backing off, no further provider calls");

    assertEquals("good", node.request(Addresses.get("esignglobal"), null).getString("access_token"));
    SuiteReport.SERVED_VALID.incrementAndGet();
    Token stored = Await.result(node.store().load(KEY));
    if (stored == null || stored.version() != 1 || !"good".equals(stored.accessToken().reveal())) {
      SuiteReport.TOKENS_LOST.incrementAndGet();
    }
    assertEquals(1, stored.version());
    assertEquals("good", stored.accessToken().reveal());
    assertTrue(stored.lastError() != null && stored.lastError().startsWith(fault.error()), stored.lastError());

    provider.server.resetMappings();
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(okJson(TestConfigs.tokenJson("healed", 3600))));
    clock.advance(Duration.ofSeconds(301));
    JsonObject healed = node.request(Addresses.refresh("esignglobal"), null);
    assertEquals("healed", healed.getString("access_token"));
    assertEquals(2L, healed.getLong("version"));
    SuiteReport.RECOVERED.incrementAndGet();
  }
}
