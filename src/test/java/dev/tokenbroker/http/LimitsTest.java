package dev.tokenbroker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What one node holds open: connections, idle connections, event streams and pending authorizations. */
class LimitsTest {
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private final MutableClock clock = MutableClock.startingNow();
  private BrokerNode node;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("limited", 3600))));
  }

  private void startBroker(JsonObject httpLimits) {
    JsonObject config = TestConfigs.broker(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(provider.baseUrl()))
        .put("rightsignature", TestConfigs.rightsignature(provider.baseUrl())));
    config.getJsonObject("http").mergeIn(httpLimits);
    node = broker.start(config, clock);
  }

  /** A raw keep-alive connection that has had one request answered (so the server surely counts it). */
  private Socket answeredConnection() throws IOException {
    Socket socket = broker.client(new Socket("127.0.0.1", node.httpPort()));
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    String head = readHead(socket.getInputStream());
    assertTrue(head.startsWith("HTTP/1.1 200"), head);
    return socket;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int contentLength = 0;
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return head.toString();
      }
      head.append((char) b);
    }
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        contentLength = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(contentLength);
    return head.toString();
  }

  /** True once the server has closed the connection: a read ends (or is reset) instead of timing out. */
  private static boolean closedByServer(Socket socket) {
    try {
      socket.setSoTimeout(200);
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void connectionsBeyondTheCapAreClosedAtOnceAndTheSlotComesBack() throws IOException {
    startBroker(new JsonObject().put("max-connections", 2));
    Socket first = answeredConnection();
    answeredConnection();
    assertEquals(2, node.broker.httpLimits().openConnections());

    Socket third = broker.client(new Socket("127.0.0.1", node.httpPort()));
    Await.until("the third connection is closed by the server", Duration.ofSeconds(10), () -> closedByServer(third));
    try {
      third.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("", readHead(third.getInputStream()), "no answer on a refused connection");
    } catch (SocketException expected) {
      // reset: refused all the same
    }
    assertEquals(2, node.broker.httpLimits().openConnections());

    first.close();
    Await.until("the closed connection's slot is free", Duration.ofSeconds(10),
        () -> node.broker.httpLimits().openConnections() == 1);
    answeredConnection();
    assertEquals(2, node.broker.httpLimits().openConnections());
  }

  @Test
  void aWebSocketConnectionFreesItsSlotWhenItCloses() {
    startBroker(new JsonObject().put("max-connections", 5));
    java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(java.net.URI.create("ws://127.0.0.1:" + node.httpPort() + "/eventbus/websocket"),
            new java.net.http.WebSocket.Listener() {}).join();
    broker.closeBeforeNodes("the WebSocket", ws::abort);
    assertEquals(1, node.broker.httpLimits().openConnections());
    ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
    Await.until("the WebSocket's slot is free", Duration.ofSeconds(10), () -> node.broker.httpLimits().openConnections() == 0);
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws IOException {
    startBroker(new JsonObject().put("idle-timeout-seconds", 1));
    Socket idle = answeredConnection();
    Await.until("the idle connection is closed", Duration.ofSeconds(30), () -> closedByServer(idle));
    Await.until("its slot is free", Duration.ofSeconds(10), () -> node.broker.httpLimits().openConnections() == 0);
  }

  @Test
  void anEventStreamOutlivesTheIdleTimeoutOnHeartbeats() {
    startBroker(new JsonObject().put("idle-timeout-seconds", 1));
    StringBuffer stream = new StringBuffer();
    HttpClientResponse response = openStream(broker.httpClient(node.vertx), stream);
    assertEquals(200, response.statusCode());
    Await.until("three heartbeats (1.5 s, past the 1 s idle timeout)", Duration.ofSeconds(30),
        () -> stream.toString().split(": heartbeat").length > 3);
    broker.http(node).get("/v1/tokens/esignglobal");
    Await.until("the stream still delivers", Duration.ofSeconds(10), () -> stream.toString().contains("event: token.rotated"));
  }

  private HttpClientResponse openStream(HttpClient client, StringBuffer sink) {
    HttpClientResponse response = Await.result(client.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setPort(node.httpPort()).setHost("127.0.0.1").setURI("/v1/events")
            .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY))
        .compose(req -> req.send()));
    if (response.statusCode() == 200) {
      response.handler(chunk -> sink.append(chunk.toString()));
    }
    return response;
  }

  @Test
  void aThirdEventStreamGets503WhileTwoAreOpen() {
    startBroker(new JsonObject().put("max-event-streams", 2));
    List<HttpClient> clients = new ArrayList<>();
    List<StringBuffer> streams = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      HttpClient client = broker.httpClient(node.vertx);
      clients.add(client);
      StringBuffer stream = new StringBuffer();
      streams.add(stream);
      assertEquals(200, openStream(client, stream).statusCode());
    }

    HttpResponse<Buffer> third = broker.http(node).get("/v1/events");
    assertEquals(503, third.statusCode());
    assertEquals("overloaded", third.bodyAsJsonObject().getString("error"));
    assertTrue(third.bodyAsJsonObject().getString("error_description").contains("http.max-event-streams"));
    assertEquals("10", third.getHeader("Retry-After"));

    broker.http(node).get("/v1/tokens/esignglobal");
    Await.until("both streams get the event", Duration.ofSeconds(10),
        () -> streams.stream().allMatch(s -> s.toString().contains("event: token.rotated")));

    Await.result(clients.get(0).close());
    Await.until("the closed stream's slot is free", Duration.ofSeconds(10), () -> node.broker.httpLimits().openStreams() == 1);
    HttpClient another = broker.httpClient(node.vertx);
    assertEquals(200, openStream(another, new StringBuffer()).statusCode());
  }

  @Test
  void authorizeAnswers503BeyondThePendingAuthorizations() {
    startBroker(new JsonObject().put("max-pending-authorizations", 2));
    Http http = broker.http(node);
    String state = null;
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> r = http.post("/v1/oauth/rightsignature/authorize?account=acme");
      assertEquals(200, r.statusCode(), r.bodyAsString());
      state = Http.query(r.bodyAsJsonObject().getString("authorize_url")).get("state");
    }

    HttpResponse<Buffer> refused = http.post("/v1/oauth/rightsignature/authorize?account=acme");
    assertEquals(503, refused.statusCode());
    assertEquals("overloaded", refused.bodyAsJsonObject().getString("error"));
    assertTrue(refused.bodyAsJsonObject().getString("error_description").contains("http.max-pending-authorizations"));
    assertTrue(Long.parseLong(refused.getHeader("Retry-After")) >= 1);

    // a used state frees its place: the callback consumes it (whatever the exchange gives)
    http.send(HttpMethod.GET, "/v1/oauth/rightsignature/callback?error=access_denied&state=" + Http.encode(state), null);
    assertEquals(200, http.post("/v1/oauth/rightsignature/authorize?account=acme").statusCode());
    assertEquals(503, http.post("/v1/oauth/rightsignature/authorize?account=acme").statusCode());

    clock.advance(Duration.ofMinutes(11)); // every state has expired
    assertEquals(200, http.post("/v1/oauth/rightsignature/authorize?account=acme").statusCode());
  }
}
