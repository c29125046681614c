package dev.tokenbroker.log;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Run by {@link LogTest} in a JVM of its own, without {@code -Djava.util.logging.config.file}, as
 * the jar runs: logs before Vert.x starts (stderr shows the format), and reports on stdout whether
 * a handler added then still receives the broker's lines once Vert.x's logging has started.
 */
public final class LogProbe {
  private LogProbe() {}

  public static void main(String[] args) throws Exception {
    Log log = Log.of(LogProbe.class);
    log.info("probe: before Vert.x");
    log.debug("probe: a debug line");
    AtomicInteger seen = new AtomicInteger();
    Logger.getLogger("").addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getMessage().startsWith("probe:")) {
          seen.incrementAndGet();
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    Vertx vertx = Vertx.vertx(); // starts Vert.x's own logging
    log.warn("probe: after Vert.x");
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.println("handler saw " + seen.get());
  }
}
