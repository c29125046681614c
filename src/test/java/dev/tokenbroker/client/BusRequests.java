package dev.tokenbroker.client;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the token requests a Vert.x instance sends on its event bus (an outbound interceptor). */
final class BusRequests {
  private final List<String> addresses = new CopyOnWriteArrayList<>();
  private final List<Object> bodies = new CopyOnWriteArrayList<>();

  private BusRequests() {}

  static BusRequests record(Vertx vertx) {
    BusRequests requests = new BusRequests();
    vertx.eventBus().addOutboundInterceptor(context -> {
      String address = context.message().address();
      if (address.startsWith("token.get.") || address.startsWith("token.refresh.")) {
        requests.addresses.add(address);
        requests.bodies.add(context.message().body());
      }
      context.next();
    });
    return requests;
  }

  long gets() {
    return addresses.stream().filter(a -> a.startsWith("token.get.")).count();
  }

  long refreshes() {
    return addresses.stream().filter(a -> a.startsWith("token.refresh.")).count();
  }

  /** The rejected_version of every token.get sent that carried one. */
  List<Long> rejectedVersions() {
    return bodies.stream().filter(b -> b instanceof JsonObject j && j.containsKey("rejected_version"))
        .map(b -> ((JsonObject) b).getLong("rejected_version")).toList();
  }
}
