package dev.tokenbroker.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import dev.tokenbroker.log.Log;
import dev.tokenbroker.net.ConnectionChannels;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code http.max-connections}: the HTTP server's connection handler. Counts the node's
 * connections; one beyond the cap is closed as soon as it is accepted, before it holds any buffer
 * or request state (answering it 503 would mean keeping it open until the client sends a request,
 * which is what the cap is to prevent). A closed connection is forgotten by the {@link Gate}.
 */
final class ConnectionCap implements Handler<HttpConnection> {
  private static final Log LOG = Log.of(ConnectionCap.class);
  private final HttpLimits limits;
  private final Gate gate;
  private final int max;
  private final AtomicLong refused = new AtomicLong();

  ConnectionCap(HttpLimits limits, Gate gate, int max) {
    this.limits = limits;
    this.gate = gate;
    this.max = max;
  }

  @Override
  public void handle(HttpConnection connection) {
    if (!limits.openConnection()) {
      long count = refused.incrementAndGet();
      if (count == 1 || count % 1000 == 0) {
        LOG.warn("Refused " + count + " connection(s): this node already has " + max + " open (http.max-connections)");
      }
      connection.close();
      return;
    }
    AtomicBoolean counted = new AtomicBoolean(true);
    Runnable closed = () -> {
      if (counted.getAndSet(false)) {
        limits.connectionClosed();
        gate.closed(connection);
      }
    };
    connection.closeHandler(v -> closed.run());
    // a connection upgraded to a WebSocket (SockJS) no longer reports its close to its HTTP close handler
    ConnectionChannels.onClose(connection, closed);
  }
}
