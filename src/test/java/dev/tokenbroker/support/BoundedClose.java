package dev.tokenbroker.support;

import io.vertx.core.Future;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closing with a deadline: a close that does not finish in time fails with what it was closing,
 * and the threads of the JVM are written to the test log (target/test.log) to show what it waited
 * on, instead of a test run that hangs or a bare "future did not complete".
 */
public final class BoundedClose {
  private static final Logger LOG = Logger.getLogger("test");

  /** A close that may throw. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  private BoundedClose() {}

  /** Waits for {@code closing} (a Vert.x close) up to {@code deadline}. */
  public static void await(String what, Duration deadline, Future<?> closing) {
    finish(what, deadline, closing.toCompletionStage().toCompletableFuture());
  }

  /** Runs a blocking close on a thread of its own and waits for it up to {@code deadline}. */
  public static void run(String what, Duration deadline, Action close) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread closer = new Thread(() -> {
      try {
        close.run();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    }, "close " + what);
    closer.setDaemon(true);
    closer.start();
    finish(what, deadline, done);
  }

  private static void finish(String what, Duration deadline, CompletableFuture<?> done) {
    try {
      done.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warning("closing " + what + " did not finish within " + deadline + "; the threads now:\n" + threadDump());
      throw new AssertionError("closing " + what + " did not finish within " + deadline.toSeconds()
          + " s (the threads at that moment are in target/test.log)");
    } catch (ExecutionException e) {
      throw new AssertionError("closing " + what + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while closing " + what, e);
    }
  }

  /** Every live thread with its whole stack and the lock it waits for. */
  static String threadDump() {
    StringBuilder out = new StringBuilder();
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
      if (info.getLockName() != null) {
        out.append(" on ").append(info.getLockName());
      }
      out.append('\n');
      for (StackTraceElement frame : info.getStackTrace()) {
        out.append("    at ").append(frame).append('\n');
      }
    }
    return out.toString();
  }

  static void logFailure(String what, Throwable t) {
    LOG.log(Level.WARNING, what, t);
  }
}
