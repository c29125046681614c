package dev.tokenbroker.net;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Runs an action when a server connection's socket closes, whatever the connection became: an
 * HTTP connection upgraded to a WebSocket (SockJS) no longer reports its close to its
 * {@link HttpConnection#closeHandler}, so a count of open connections ({@code http.max-connections})
 * would keep it for ever. Its socket (the Netty channel) does report it, and Vert.x exposes the
 * channel only through its internal {@link ConnectionBase}: this is the one place that reaches it.
 * {@code ConnectionChannelsTest} fails if a server connection stops being one, or if the channel's
 * close stops covering an upgraded connection.
 */
public final class ConnectionChannels {
  private ConnectionChannels() {}

  /**
   * Calls {@code action} (on the connection's event loop) once its socket has closed. False when
   * the connection's socket cannot be reached: then only its close handler tells.
   */
  public static boolean onClose(HttpConnection connection, Runnable action) {
    if (connection instanceof ConnectionBase base) {
      base.channel().closeFuture().addListener(f -> action.run());
      return true;
    }
    return false;
  }
}
