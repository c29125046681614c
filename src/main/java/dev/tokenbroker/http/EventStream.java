package dev.tokenbroker.http;

import dev.tokenbroker.bus.Addresses;
import dev.tokenbroker.config.KeyScope;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /v1/events} (action events): {@code token.rotated} and {@code token.failed} from the
 * whole cluster as Server-Sent Events ({@code event:} name, JSON {@code data:}), each only if it
 * is about the API key's providers and accounts; a heartbeat comment every 15 s, and everything
 * torn down when the client goes away or the node stops. A client that cannot keep up is
 * disconnected rather than buffered without bound.
 */
final class EventStream {
  static final long HEARTBEAT_MS = 15_000;

  private final Vertx vertx;

  EventStream(Vertx vertx) {
    this.vertx = vertx;
  }

  void handle(RoutingContext ctx) {
    KeyScope scope = ScopeCheck.scope(ctx);
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    response.write(": token-broker events\n\n");
    AtomicBoolean closed = new AtomicBoolean();
    List<MessageConsumer<JsonObject>> consumers = List.of(Addresses.ROTATED, Addresses.FAILED).stream()
        .map(address -> vertx.eventBus().<JsonObject>consumer(address, message -> {
          if (closed.get() || !ScopeCheck.delivers(scope, message.body())) {
            return;
          }
          if (response.writeQueueFull()) {
            response.reset();
            return;
          }
          response.write("event: " + address + "\ndata: " + message.body().encode() + "\n\n");
        }))
        .toList();
    long heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> {
      if (!closed.get()) {
        response.write(": heartbeat\n\n");
      }
    });
    Runnable teardown = () -> {
      if (closed.compareAndSet(false, true)) {
        vertx.cancelTimer(heartbeat);
        consumers.forEach(MessageConsumer::unregister);
      }
    };
    response.closeHandler(v -> teardown.run());
    response.exceptionHandler(e -> teardown.run());
    // the node is stopping: end the stream so the graceful shutdown need not wait for it
    ctx.request().connection().shutdownHandler(v -> {
      teardown.run();
      response.end();
    });
  }
}
