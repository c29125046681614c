package dev.tokenbroker.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionChannels} reaches the socket of every connection a Vert.x HTTP server accepts,
 * and reports its close: of a plain HTTP connection, and of one upgraded to a WebSocket, whose
 * close the HTTP connection's close handler does not report.
 */
class ConnectionChannelsTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicBoolean watched = new AtomicBoolean(true);
  private final AtomicInteger socketsClosed = new AtomicInteger();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /** A server whose connections are watched; it answers a request, or upgrades it to a WebSocket at /ws. */
  private int server() {
    HttpServer server = Await.result(vertx.createHttpServer()
        .connectionHandler(connection -> {
          accepted.incrementAndGet();
          if (!ConnectionChannels.onClose(connection, socketsClosed::incrementAndGet)) {
            watched.set(false);
          }
        })
        .requestHandler(request -> {
          if (request.path().equals("/ws")) {
            request.toWebSocket();
          } else {
            request.response().end("ok");
          }
        })
        .listen(0, "127.0.0.1"));
    return server.actualPort();
  }

  @Test
  void theCloseOfAnHttpConnectionIsReported() {
    int port = server();
    HttpClientAgent client = vertx.createHttpClient();
    Await.result(client.request(HttpMethod.GET, port, "127.0.0.1", "/")
        .compose(request -> request.send().compose(response -> response.body()
            .compose(body -> request.connection().close()))));

    Await.until("the socket's close is reported", Duration.ofSeconds(10), () -> socketsClosed.get() == 1);
    assertEquals(1, accepted.get());
    assertTrue(watched.get(), "the server connection's socket was reached");
  }

  @Test
  void theCloseOfAConnectionUpgradedToAWebSocketIsReported() {
    int port = server();
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket ws = Await.result(client.connect(port, "127.0.0.1", "/ws"));
    assertEquals(0, socketsClosed.get());

    Await.result(ws.close());

    Await.until("the upgraded socket's close is reported", Duration.ofSeconds(10), () -> socketsClosed.get() == 1);
    assertEquals(1, accepted.get());
    assertTrue(watched.get(), "the server connection's socket was reached");
  }
}
