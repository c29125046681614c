package dev.tokenbroker.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * Before the pool is built at start-up: does the server at the store's address answer like a
 * PostgreSQL server? It is sent the 8-byte SSLRequest every PostgreSQL client may open with, and
 * any server answers it with one byte ({@code S} or {@code N}). The probe owns its socket, so a
 * server that accepts and never answers is given up on within the limit and the socket closed;
 * the pool's own connection attempt to such a server could not be cancelled (vertx-pg-client has
 * no handshake timeout), and closing the pool, and so Vert.x, would wait for it.
 */
final class PgHandshakeProbe {
  /** Int32 length 8, Int32 80877103: the SSLRequest code. */
  private static final Buffer SSL_REQUEST = Buffer.buffer().appendInt(8).appendInt(80877103);

  private PgHandshakeProbe() {}

  static Future<Void> check(Vertx vertx, String host, int port, long limitMs) {
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, limitMs)));
    Promise<Void> answered = Promise.promise();
    long timer = vertx.setTimer(limitMs, id -> answered.tryFail(new StoreTimeoutException(
        "the database at " + host + ":" + port + " did not answer a PostgreSQL handshake within " + limitMs + " ms")));
    client.connect(port, host).onComplete(ar -> {
      if (ar.failed()) {
        answered.tryFail(new StoreTimeoutException("cannot connect to the database at " + host + ":" + port + ": "
            + ar.cause().getMessage()));
        return;
      }
      NetSocket socket = ar.result();
      socket.handler(bytes -> answered.tryComplete());
      socket.closeHandler(v -> answered.tryFail(new StoreTimeoutException(
          "the database at " + host + ":" + port + " closed the connection without answering a PostgreSQL handshake")));
      socket.write(SSL_REQUEST);
      answered.future().onComplete(done -> socket.close());
    });
    return answered.future().onComplete(done -> {
      vertx.cancelTimer(timer);
      client.close();
    });
  }
}
