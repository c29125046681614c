package dev.tokenbroker.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OwnContext} recognises its context and the context's duplicates, and nothing else - in
 * particular not another context on the same event-loop thread, which a thread check would take
 * for it. Runs on one event loop so that every context shares it.
 */
class OwnContextTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final OwnContext own = new OwnContext();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /** What {@code check} answers when run on {@code where}, through {@code runOnContext}. */
  private static <T> T on(Context where, Supplier<T> check) throws Exception {
    CompletableFuture<T> answer = new CompletableFuture<>();
    where.runOnContext(v -> answer.complete(check.get()));
    return answer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void recognisesItsContext() throws Exception {
    own.mark(context);

    assertTrue(on(context, own::isCurrent));
  }

  @Test
  void recognisesADuplicateOfItsContext() throws Exception {
    own.mark(context);
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    CompletableFuture<Context> duplicate = new CompletableFuture<>();
    context.runOnContext(v -> vertx.setPeriodic(1, id -> { // a periodic timer runs each time on a new duplicate
      vertx.cancelTimer(id);
      duplicate.complete(Vertx.currentContext());
      answer.complete(own.isCurrent());
    }));

    assertNotSame(context, duplicate.get(10, TimeUnit.SECONDS), "the timer's handler runs on a duplicate");
    assertTrue(answer.get(10, TimeUnit.SECONDS));
  }

  @Test
  void doesNotRecogniseAnotherContextOnTheSameThread() throws Exception {
    own.mark(context);
    Context other = vertx.getOrCreateContext();

    assertNotSame(context, other);
    assertEquals(on(context, Thread::currentThread), on(other, Thread::currentThread), "one event loop");
    assertFalse(on(other, own::isCurrent));
  }

  @Test
  void doesNotRecogniseBlockingCodeRunForItsContextOnAWorker() throws Exception {
    own.mark(context);
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    context.runOnContext(v -> context.executeBlocking(() -> {
      assertSame(context, Vertx.currentContext(), "the context is current on the worker too");
      return own.isCurrent();
    }).onComplete(ar -> answer.complete(ar.succeeded() ? ar.result() : null)));

    assertEquals(Boolean.FALSE, answer.get(10, TimeUnit.SECONDS));
  }

  @Test
  void doesNotRecogniseAThreadWithoutAContext() {
    own.mark(context);

    assertFalse(own.isCurrent());
  }

  @Test
  void recognisesNothingBeforeItIsMarked() throws Exception {
    assertFalse(on(context, own::isCurrent));
  }
}
