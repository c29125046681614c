package dev.tokenbroker.http;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * {@code GET /v1/events} (action events): {@code token.rotated}, {@code token.failed},
 * {@code token.recovered} and {@code token.expiring} from the
 * whole cluster as Server-Sent Events ({@code event:} name, JSON {@code data:}), each only if it is
 * about the API key's providers and accounts, with a heartbeat comment.
 *
 * <p>One fan-out per HTTP verticle: a single event-bus consumer per address feeds every stream
 * this verticle serves, so a client costs no cluster-wide registration; one heartbeat timer
 * serves them all. At most {@code http.max-event-streams} streams per node: beyond, 503. A
 * client that cannot keep up is disconnected rather than buffered without bound, and every
 * stream ends when its client goes away or the node stops.
 */
final class EventStream {
  static final long HEARTBEAT_MS = 15_000;
  private static final long RETRY_AFTER_SECONDS = 10;

  private final Vertx vertx;
  private final HttpLimits limits;
  private final long heartbeatMs;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private long heartbeat = -1;

  EventStream(Vertx vertx, HttpLimits limits, long heartbeatMs) {
    this.vertx = vertx;
    this.limits = limits;
    this.heartbeatMs = heartbeatMs;
  }

  /** Registers the fan-out's consumers and heartbeat; call from the verticle's start (undeploy unregisters the consumers). */
  Future<Void> start() {
    List<Future<Void>> registrations = Addresses.EVENTS.stream()
        .map(address -> vertx.eventBus().<JsonObject>consumer(address, message -> deliver(address, message.body())).completion())
        .toList();
    heartbeat = vertx.setPeriodic(heartbeatMs, id -> clients.forEach(c -> c.write(": heartbeat\n\n")));
    return Future.all(registrations).mapEmpty();
  }

  /** Cancels the heartbeat (streams end with their connections). */
  void stop() {
    vertx.cancelTimer(heartbeat);
  }

  /** Streams every event. */
  void handle(RoutingContext ctx) {
    KeyScope scope = Gate.scope(ctx);
    handle(ctx, event -> Gate.delivers(scope, event));
  }

  /** Streams the events {@code accepts} lets through (e.g. those an API key's scope covers). */
  void handle(RoutingContext ctx, Predicate<JsonObject> accepts) {
    if (!limits.openStream()) {
      HttpErrors.send(ctx, new BrokerException(ErrorCode.OVERLOADED, "this node serves at most "
          + limits.config().maxEventStreams() + " event streams (http.max-event-streams); try again later", RETRY_AFTER_SECONDS));
      return;
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    response.write(": token-broker events\n\n");
    Client client = new Client(response, accepts);
    clients.add(client);
    response.closeHandler(v -> client.close());
    response.exceptionHandler(e -> client.close());
    // the node is stopping: end the stream so the graceful shutdown need not wait for it
    ctx.request().connection().shutdownHandler(v -> {
      client.close();
      response.end();
    });
  }

  /** Streams open on this verticle. */
  int size() {
    return clients.size();
  }

  private void deliver(String address, JsonObject event) {
    String frame = "event: " + address + "\ndata: " + event.encode() + "\n\n";
    for (Client client : clients) {
      if (client.accepts.test(event)) {
        client.write(frame);
      }
    }
  }

  private final class Client {
    private final HttpServerResponse response;
    private final Predicate<JsonObject> accepts;

    Client(HttpServerResponse response, Predicate<JsonObject> accepts) {
      this.response = response;
      this.accepts = accepts;
    }

    void write(String text) {
      if (response.writeQueueFull()) {
        close();
        response.reset();
        return;
      }
      response.write(text);
    }

    /** Leaves the fan-out and frees the node's stream slot; once, however often it is called. */
    void close() {
      if (clients.remove(this)) {
        limits.streamClosed();
      }
    }
  }
}
