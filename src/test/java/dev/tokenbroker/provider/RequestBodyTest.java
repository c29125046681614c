package dev.tokenbroker.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The token request bodies the endpoint client encodes itself, as a server parses them. */
class RequestBodyTest {
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  /** Non-ASCII, quotes, CRLF, '&', '=', '+' and '%': what naive encoders get wrong. */
  private static final String AWKWARD = "s\u00e9cr\u20act \"quoted\"\r\n--line&a=b+c%20";

  private final Vertx vertx = broker.vertx();
  private final ProviderDouble provider = broker.provider();
  private TokenEndpointClient client;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo("/token")).willReturn(okJson(TestConfigs.tokenJson("t", 3600))));
    client = new TokenEndpointClient(vertx, Clock.systemUTC(), null);
  }

  private LoggedRequest send(BodyEncoding body) {
    ProviderSpec spec = new ProviderSpec("p", null, provider.baseUrl() + "/token", null, GrantType.AUTHORIZATION_CODE, body,
        ClientAuth.BODY, "client \u00fc", Secret.of(AWKWARD), null, null, Duration.ofSeconds(5), true, null, false, Map.of());
    Await.result(client.request(spec, new RefreshTokenGrant(Secret.of("r\u00f8tate=1&x"))));
    return provider.requests("/token").get(0);
  }

  @Test
  void multipartFieldsArriveAsSentInUtf8WithAContentLength() {
    LoggedRequest request = send(BodyEncoding.MULTIPART);

    assertTrue(request.isMultipart());
    assertTrue(request.getHeader("Content-Type").startsWith("multipart/form-data; boundary="), request.getHeader("Content-Type"));
    assertEquals(String.valueOf(request.getBody().length), request.getHeader("Content-Length"));
    assertEquals(Map.of("grant_type", "refresh_token", "refresh_token", "r\u00f8tate=1&x", "client_id", "client \u00fc",
        "client_secret", AWKWARD), ProviderDouble.params(request));
  }

  @Test
  void formFieldsArriveAsSentInUtf8() {
    LoggedRequest request = send(BodyEncoding.FORM);

    assertTrue(request.getHeader("Content-Type").startsWith("application/x-www-form-urlencoded"));
    assertEquals(Map.of("grant_type", "refresh_token", "refresh_token", "r\u00f8tate=1&x", "client_id", "client \u00fc",
        "client_secret", AWKWARD), ProviderDouble.params(request));
  }

  @Test
  void jsonFieldsArriveAsSent() {
    LoggedRequest request = send(BodyEncoding.JSON);

    assertTrue(request.getHeader("Content-Type").startsWith("application/json"));
    assertEquals(new JsonObject().put("grant_type", "refresh_token").put("refresh_token", "r\u00f8tate=1&x")
        .put("client_id", "client \u00fc").put("client_secret", AWKWARD),
        new JsonObject(new String(request.getBody(), StandardCharsets.UTF_8)));
  }

  @Test
  void theUserAgentAndAcceptHeadersAreSent() {
    LoggedRequest request = send(BodyEncoding.FORM);

    assertEquals("token-broker", request.getHeader("User-Agent"));
    assertEquals("application/json", request.getHeader("Accept"));
  }
}
