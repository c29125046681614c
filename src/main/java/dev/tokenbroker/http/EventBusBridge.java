package dev.tokenbroker.http;

import dev.tokenbroker.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge at {@code /eventbus}: deny by default; inbound only
 * {@code token.get.*}, outbound only {@code token.rotated} and {@code token.failed}. Every message
 * a client sends (send, publish, register) must carry {@code authorization: Bearer <api key>} in
 * its headers; the header is removed before the message reaches the event bus.
 */
final class EventBusBridge {
  private final Vertx vertx;
  private final ApiKeyAuth auth;

  EventBusBridge(Vertx vertx, ApiKeyAuth auth) {
    this.vertx = vertx;
    this.auth = auth;
  }

  void mount(Router router) {
    SockJSBridgeOptions options = new SockJSBridgeOptions()
        .addInboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.GET_PREFIX) + "[a-z0-9][a-z0-9-]{0,31}"))
        .addOutboundPermitted(new PermittedOptions().setAddress(Addresses.ROTATED))
        .addOutboundPermitted(new PermittedOptions().setAddress(Addresses.FAILED));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(options, this::check));
  }

  private void check(BridgeEvent event) {
    BridgeEventType type = event.type();
    if (type != BridgeEventType.SEND && type != BridgeEventType.PUBLISH && type != BridgeEventType.REGISTER) {
      event.complete(true);
      return;
    }
    JsonObject raw = event.getRawMessage();
    JsonObject headers = raw == null ? null : raw.getJsonObject("headers");
    Object authorization = headers == null ? null : headers.getValue("authorization");
    if (!(authorization instanceof String header) || !auth.accepts(header)) {
      event.complete(false);
      return;
    }
    JsonObject stripped = raw.copy();
    stripped.getJsonObject("headers").remove("authorization");
    event.setRawMessage(stripped);
    event.complete(true);
  }
}
