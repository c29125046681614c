package dev.tokenbroker.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Closed-loop load: {@code concurrency} requests in flight until {@code total} are done; latency per request. */
final class LoadGenerator {
  record Result(double perSecond, double p50Micros, double p99Micros, int errors) {}

  private LoadGenerator() {}

  /** Runs the load from {@code context} (an event loop, as a verticle calling the broker would) and waits for it. */
  static Result run(Context context, int total, int concurrency, Supplier<Future<?>> request) {
    Promise<Result> result = Promise.promise();
    context.runOnContext(v -> start(total, concurrency, request).onComplete(result));
    return result.future().toCompletionStage().toCompletableFuture().join();
  }

  /** Runs the load from the calling thread and waits for it. */
  static Result run(int total, int concurrency, Supplier<Future<?>> request) {
    return start(total, concurrency, request).toCompletionStage().toCompletableFuture().join();
  }

  private static Future<Result> start(int total, int concurrency, Supplier<Future<?>> request) {
    long[] latencies = new long[total];
    AtomicInteger started = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    Promise<Result> finished = Promise.promise();
    long begin = System.nanoTime();
    Runnable[] next = new Runnable[1];
    // a trampoline: requests that complete synchronously (cache hits) do not recurse
    next[0] = () -> {
      while (true) {
        int i = started.getAndIncrement();
        if (i >= total) {
          return;
        }
        long t0 = System.nanoTime();
        boolean[] inline = {true};
        boolean[] completedInline = {false};
        request.get().onComplete(ar -> {
          latencies[i] = System.nanoTime() - t0;
          if (ar.failed()) {
            errors.incrementAndGet();
          }
          if (done.incrementAndGet() == total) {
            double seconds = (System.nanoTime() - begin) / 1e9;
            Arrays.sort(latencies);
            finished.tryComplete(new Result(total / seconds, latencies[total / 2] / 1e3,
                latencies[(int) (total * 0.99)] / 1e3, errors.get()));
          } else if (inline[0]) {
            completedInline[0] = true;
          } else {
            next[0].run();
          }
        });
        inline[0] = false;
        if (!completedInline[0]) {
          return;
        }
      }
    };
    for (int c = 0; c < concurrency; c++) {
      next[0].run();
    }
    return finished.future();
  }
}
