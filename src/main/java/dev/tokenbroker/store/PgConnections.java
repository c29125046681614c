package dev.tokenbroker.store;

import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.SqlConnectionInternal;

/**
 * Closes a pooled connection at its socket, so that the pool drops it instead of taking it back:
 * {@link SqlConnection#close()} hands a pooled connection back to the pool, with a statement still
 * running on it (a query past its timeout) or dead under it (a server that ended it), and the
 * client has no public way to evict one. Its socket is reached through the SQL client's internal
 * types ({@link SqlConnectionInternal} wrapping the pool's connection wrapping the
 * {@link SocketConnectionBase}); this is the one place that does. {@code PgConnectionsTest} fails if
 * that stops reaching the socket of a pooled PostgreSQL connection, or if the pool stops replacing
 * a connection closed there.
 *
 * <p>In 5.0.10 the PostgreSQL codec turns that close into a Terminate message and a half-close, so
 * the connection is gone once the server has read them: at once from an idle server, only after
 * the statement from one still running it (or when the read idle timeout closes the socket).
 */
final class PgConnections {
  private PgConnections() {}

  /** Closes the connection's socket; false (nothing done) when the socket cannot be reached. */
  static boolean closeSocket(SqlConnection c) {
    if (c instanceof SqlConnectionInternal internal && internal.unwrap().unwrap() instanceof SocketConnectionBase socket) {
      socket.socket().close();
      return true;
    }
    return false;
  }
}
