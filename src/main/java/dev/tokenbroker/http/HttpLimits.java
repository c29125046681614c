package dev.tokenbroker.http;

import dev.tokenbroker.config.HttpConfig;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one node's HTTP bridge holds open, counted across all its HTTP verticle instances:
 * connections ({@code http.max-connections}) and event streams ({@code http.max-event-streams}).
 * Create one per node and give it to every instance.
 */
public final class HttpLimits {
  private final HttpConfig.Limits config;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();

  public HttpLimits(HttpConfig.Limits config) {
    this.config = config;
  }

  HttpConfig.Limits config() {
    return config;
  }

  /** Counts a new connection; false (and not counted) when the node already has the most it may. */
  boolean openConnection() {
    return acquire(connections, config.maxConnections());
  }

  void connectionClosed() {
    connections.decrementAndGet();
  }

  /** Counts a new event stream; false (and not counted) when the node already serves the most it may. */
  boolean openStream() {
    return acquire(streams, config.maxEventStreams());
  }

  void streamClosed() {
    streams.decrementAndGet();
  }

  /** Connections open now. */
  public int openConnections() {
    return connections.get();
  }

  /** Event streams open now. */
  public int openStreams() {
    return streams.get();
  }

  private static boolean acquire(AtomicInteger counter, int max) {
    while (true) {
      int now = counter.get();
      if (now >= max) {
        return false;
      }
      if (counter.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }
}
