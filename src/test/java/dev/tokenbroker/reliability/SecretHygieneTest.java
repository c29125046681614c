package dev.tokenbroker.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.SuiteReport;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the main scenarios with recognisable secrets and looks for them everywhere they must not
 * be: log lines (all levels, with stack traces), events (bus and SSE), metrics, error bodies,
 * the token list, pages and toString() of config and tokens.
 */
class SecretHygieneTest {
  private static final String CLIENT_SECRET = "SEKRET-client-4711";
  private static final String API_KEY = "SEKRET-apikey-4711";
  private static final List<String> SECRETS = List.of(CLIENT_SECRET, API_KEY, "SEKRET-access-1", "SEKRET-refresh-1",
      "SEKRET-access-2", "SEKRET-refresh-2", "SEKRET-code-4711", "SEKRET-wrong-key");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();

  /** Every log record of every logger, all levels of the broker's, with stack traces, while open. */
  private static final class LogCapture extends Handler implements AutoCloseable {
    private final StringBuffer text = new StringBuffer();
    private final Logger root = Logger.getLogger("");
    private final Logger broker = Logger.getLogger("dev.tokenbroker");
    private final Level before = broker.getLevel();

    LogCapture() {
      // the JUL configuration is (re)read once, when the first broker logger is made (see Log),
      // dropping handlers added before: make sure that has happened
      dev.tokenbroker.log.Log.of(SecretHygieneTest.class);
      root.addHandler(this);
      broker.setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord r) {
      text.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(' ').append(r.getMessage()).append('\n');
      if (r.getThrown() != null) {
        StringWriter w = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(w));
        text.append(w);
      }
    }

    String text() {
      return text.toString();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      root.removeHandler(this);
      broker.setLevel(before);
    }
  }

  @Test
  void noSecretReachesLogsEventsMetricsErrorsOrToString() {
    LogCapture logs = new LogCapture();
    Map<String, StringBuilder> places = new LinkedHashMap<>();
    for (String place : List.of("logs", "bus events", "SSE", "metrics", "error bodies", "token list", "pages", "toString")) {
      places.put(place, new StringBuilder());
    }
    try {
      String path = ProviderDouble.RIGHTSIGNATURE_PATH;
      provider.stub(post(urlPathEqualTo(path)).withRequestBody(containing("grant_type=authorization_code"))
          .willReturn(okJson("{\"access_token\":\"SEKRET-access-1\",\"expires_in\":7200,\"refresh_token\":\"SEKRET-refresh-1\"}")));
      provider.stub(post(urlPathEqualTo(path)).withRequestBody(containing("refresh_token=SEKRET-refresh-1"))
          .willReturn(okJson("{\"access_token\":\"SEKRET-access-2\",\"expires_in\":7200,\"refresh_token\":\"SEKRET-refresh-2\"}")));
      provider.stub(post(urlPathEqualTo(path)).withRequestBody(containing("refresh_token=SEKRET-refresh-2"))
          .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
      JsonObject config = TestConfigs.broker(new JsonObject().put("rightsignature",
          TestConfigs.rightsignature(provider.baseUrl()).put("client-secret", CLIENT_SECRET).put("pkce", true)));
      config.getJsonObject("http").put("api-keys", new JsonArray().add(new JsonObject().put("sha256", Secret.sha256Hex(API_KEY))
          .put("actions", new JsonArray().add("read").add("refresh").add("events").add("admin"))));
      try (BrokerNode node = broker.start(config)) {
        Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> places.get("bus events").append(m.body().encode())).completion());
        Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.FAILED, m -> places.get("bus events").append(m.body().encode())).completion());
        io.vertx.core.http.HttpClient sseClient = broker.httpClient(node.vertx);
        HttpClientResponse sse = Await.result(sseClient.request(new RequestOptions().setPort(node.httpPort())
            .setHost("127.0.0.1").setURI("/v1/events").putHeader("Authorization", "Bearer " + API_KEY)).compose(r -> r.send()));
        sse.handler(chunk -> places.get("SSE").append(chunk.toString()));
        Http http = broker.http(node);

        String url = http.send(HttpMethod.POST, "/v1/oauth/rightsignature/authorize?account=acme", API_KEY)
            .bodyAsJsonObject().getString("authorize_url");
        places.get("pages").append(http.send(HttpMethod.GET, "/v1/oauth/rightsignature/callback?code=SEKRET-code-4711&state="
            + Http.encode(Http.query(url).get("state")), null).bodyAsString());
        // positive control: the secrets are really in play (the token reply is where the access token belongs)
        assertTrue(http.send(HttpMethod.GET, "/v1/tokens/rightsignature?account=acme", API_KEY).bodyAsString().contains("SEKRET-access-1"));
        http.send(HttpMethod.POST, "/v1/tokens/rightsignature/refresh?account=acme", API_KEY);
        places.get("error bodies").append(http.send(HttpMethod.POST, "/v1/tokens/rightsignature/refresh?account=acme", API_KEY).bodyAsString());
        places.get("error bodies").append(http.send(HttpMethod.GET, "/v1/tokens/rightsignature?account=acme", "SEKRET-wrong-key").bodyAsString());
        places.get("error bodies").append(http.send(HttpMethod.GET, "/v1/tokens/rightsignature?account=SEKRET-code-4711!", API_KEY).bodyAsString());
        places.get("error bodies").append(node.requestFailure(Addresses.refresh("rightsignature"), new JsonObject().put("account", "acme")).getMessage());
        places.get("token list").append(http.send(HttpMethod.GET, "/v1/tokens", API_KEY).bodyAsString());
        places.get("metrics").append(http.send(HttpMethod.GET, "/metrics", null).bodyAsString());
        Await.until("the failure event on the stream", Duration.ofSeconds(10), () -> places.get("SSE").toString().contains("token.failed"));
        places.get("toString").append(Await.result(node.store().load(new TokenKey("rightsignature", "acme"))))
            .append(BrokerConfig.parse(config)).append(node.providers().provider("rightsignature"));
        Await.result(sseClient.close());
      }
    } finally {
      logs.close();
    }
    places.get("logs").append(logs.text());

    places.forEach((place, text) -> assertFalse(text.isEmpty(), "nothing captured from " + place));
    assertTrue(logs.text().contains("rotated to v2"), "the log capture works");
    assertTrue(places.get("SSE").toString().contains("token.rotated"));
    assertTrue(places.get("error bodies").toString().contains("unauthorized"));
    List<String> leaks = new ArrayList<>();
    places.forEach((place, text) -> {
      SuiteReport.SECRET_CHECKS.incrementAndGet();
      for (String secret : SECRETS) {
        if (text.indexOf(secret) >= 0) {
          leaks.add(secret + " in " + place);
          SuiteReport.SECRETS_LEAKED.incrementAndGet();
        }
      }
    });
    assertEquals(List.of(), leaks);
  }

  /**
   * A token endpoint and an API that answer with no status line, only tokens: the token GET and
   * the API proxy fail cleanly (503, 502), and those bytes - which Vert.x quotes in the message of
   * its parse error - reach no log.
   */
  @Test
  void aGarbageAnswerCarryingTokensReachesNoLog() {
    String garbage = "{\"access_token\":\"SEKRET-garbage-access\",\"refresh_token\":\"SEKRET-garbage-refresh\"}\r\n\r\n";
    Vertx vertx = broker.vertx();
    try (LogCapture logs = new LogCapture()) {
      NetServer junk = vertx.createNetServer().connectHandler(socket -> socket.handler(request -> socket.end(Buffer.buffer(garbage))));
      int port = Await.result(junk.listen(0, "127.0.0.1")).actualPort();
      provider.stub(post(urlPathEqualTo("/other/token")).willReturn(okJson(TestConfigs.tokenJson("access-ok", 3600))));
      JsonObject providers = new JsonObject()
          .put("junk", new JsonObject().put("token-url", "http://127.0.0.1:" + port + "/token").put("client-id", "c")
              .put("client-secret", "s"))
          .put("other", new JsonObject().put("token-url", provider.baseUrl() + "/other/token").put("client-id", "c")
              .put("client-secret", "s").put("api-base-url", "http://127.0.0.1:" + port + "/api"));
      try (BrokerNode node = broker.start(TestConfigs.broker(providers))) {
        Http http = broker.http(node);
        HttpResponse<Buffer> token = http.send(HttpMethod.GET, "/v1/tokens/junk", TestConfigs.API_KEY);
        HttpResponse<Buffer> proxied = http.send(HttpMethod.GET, "/v1/proxy/other/documents", TestConfigs.API_KEY);

        assertEquals(503, token.statusCode(), token.bodyAsString());
        assertEquals(502, proxied.statusCode(), proxied.bodyAsString());
        assertEquals("upstream_unavailable", proxied.bodyAsJsonObject().getString("error"));
        assertFalse(token.bodyAsString().contains("SEKRET") || proxied.bodyAsString().contains("SEKRET"));
      }
      String logged = logs.text();
      assertTrue(logged.contains("/v1/proxy/other/documents 502"), "the log capture works: " + logged);
      SuiteReport.SECRET_CHECKS.incrementAndGet();
      if (logged.contains("SEKRET")) {
        SuiteReport.SECRETS_LEAKED.incrementAndGet();
      }
      assertFalse(logged.contains("SEKRET"), logged);
    } finally {
      Await.result(vertx.close());
    }
  }
}
