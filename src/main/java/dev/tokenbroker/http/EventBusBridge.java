package dev.tokenbroker.http;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.wire.TokenRequest;
import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.auth.KeyScope;
import dev.tokenbroker.error.BrokerException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge at {@code /eventbus}: deny by default; inbound only requests to
 * {@code token.get.*} (action read) and {@code token.refresh.*} (action refresh), outbound only
 * {@code token.rotated} and {@code token.failed} (action events). Every message a client sends
 * (send, publish, register) must carry {@code authorization: Bearer <api key>} in its headers; the
 * header is removed before the message reaches the event bus.
 *
 * <p>Scope, per message: a request is let through only when the key's providers and accounts
 * cover the token it names (the body's account, default {@code default}); otherwise the bridge
 * refuses it before it reaches the bus, and the request's reply address gets the contract's 403
 * {@code forbidden}. Publishing is refused (every inbound address is request/reply). A
 * subscription remembers the key it was made with, and each event is delivered only when it is
 * about that key's providers and accounts.
 */
final class EventBusBridge {
  private static final String PROVIDER = "[a-z0-9][a-z0-9-]{0,31}";
  private static final Set<String> EVENTS = Set.copyOf(Addresses.EVENTS);
  /** The bridge's own limit on client reply addresses. */
  private static final int MAX_REPLY_ADDRESS = 36;

  private final Vertx vertx;
  private final Gate gate;
  /** Per socket: the scope of the key each event address was subscribed with. */
  private final Map<SockJSSocket, Map<String, KeyScope>> subscriptions = new ConcurrentHashMap<>();

  EventBusBridge(Vertx vertx, Gate gate) {
    this.vertx = vertx;
    this.gate = gate;
  }

  /** The SockJS handler's router, mounted at {@code /eventbus/*} by {@link Routes}. */
  Router router() {
    SockJSBridgeOptions options = new SockJSBridgeOptions()
        .addInboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.GET_PREFIX) + PROVIDER))
        .addInboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(Addresses.REFRESH_PREFIX) + PROVIDER));
    Addresses.EVENTS.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    return SockJSHandler.create(vertx).bridge(options, this::check);
  }

  private void check(BridgeEvent event) {
    switch (event.type()) {
      case SEND -> send(event);
      case PUBLISH -> event.complete(false);
      case REGISTER -> register(event);
      case RECEIVE -> event.complete(delivers(event));
      case UNREGISTER -> {
        Map<String, KeyScope> bySocket = subscriptions.get(event.socket());
        if (bySocket != null && event.getRawMessage() != null) {
          bySocket.remove(String.valueOf(event.getRawMessage().getValue("address")));
        }
        event.complete(true);
      }
      case SOCKET_CLOSED, SOCKET_ERROR -> {
        subscriptions.remove(event.socket());
        event.complete(true);
      }
      default -> event.complete(true);
    }
  }

  private void send(BridgeEvent event) {
    Optional<ApiKey> key = authenticate(event);
    if (key.isEmpty()) {
      event.complete(false);
      return;
    }
    JsonObject raw = event.getRawMessage();
    Optional<String> refusal = refusal(key.get().scope(), raw.getValue("address"), raw.getValue("body"));
    if (refusal.isPresent()) {
      if (raw.getValue("replyAddress") instanceof String replyAddress && replyAddress.length() <= MAX_REPLY_ADDRESS) {
        event.socket().write(Buffer.buffer(new JsonObject().put("type", "err").put("address", replyAddress)
            .put("failureCode", 403).put("failureType", ReplyFailure.RECIPIENT_FAILURE.name())
            .put("message", Gate.forbidden(refusal.get()).toJson().encode()).encode()));
      }
      event.complete(false);
      return;
    }
    event.complete(true);
  }

  /**
   * Why the key may not send this request, or empty when it may (or when the address is not a
   * token request: the bridge's permitted addresses refuse those). A body the token verticle
   * would refuse as invalid is judged on its action and provider only; the verticle answers 400.
   */
  private static Optional<String> refusal(KeyScope scope, Object address, Object body) {
    if (!(address instanceof String a)) {
      return Optional.empty();
    }
    if (a.startsWith(Addresses.GET_PREFIX)) {
      return refusal(scope, KeyAction.READ, a.substring(Addresses.GET_PREFIX.length()), body, TokenRequest::forGet);
    }
    if (a.startsWith(Addresses.REFRESH_PREFIX)) {
      return refusal(scope, KeyAction.REFRESH, a.substring(Addresses.REFRESH_PREFIX.length()), body, TokenRequest::forRefresh);
    }
    return Optional.empty();
  }

  private static Optional<String> refusal(KeyScope scope, KeyAction action, String provider, Object body,
      Function<Object, TokenRequest> parse) {
    String account;
    try {
      account = parse.apply(body).account();
    } catch (BrokerException invalid) {
      return scope.refusal(action, provider);
    }
    return scope.refusal(action, provider, account);
  }

  private void register(BridgeEvent event) {
    Optional<ApiKey> key = authenticate(event);
    if (key.isEmpty() || !key.get().scope().allows(KeyAction.EVENTS)) {
      event.complete(false);
      return;
    }
    Object address = event.getRawMessage().getValue("address");
    if (address instanceof String a && EVENTS.contains(a)) {
      // the first subscription stands: the bridge refuses a second one to the same address
      subscriptions.computeIfAbsent(event.socket(), s -> new ConcurrentHashMap<>()).putIfAbsent(a, key.get().scope());
    }
    event.complete(true);
  }

  /** Events only within the scope of the key they were subscribed with; replies to the socket's own requests always. */
  private boolean delivers(BridgeEvent event) {
    JsonObject envelope = event.getRawMessage();
    Object address = envelope == null ? null : envelope.getValue("address");
    if (!(address instanceof String a) || !EVENTS.contains(a)) {
      return true;
    }
    KeyScope scope = subscriptions.getOrDefault(event.socket(), Map.of()).get(a);
    return scope != null && Gate.delivers(scope, envelope.getValue("body"));
  }

  /** The key in the message's {@code authorization} header, which is removed from the message. */
  private Optional<ApiKey> authenticate(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    JsonObject headers = raw == null || !(raw.getValue("headers") instanceof JsonObject h) ? null : h;
    Object authorization = headers == null ? null : headers.getValue("authorization");
    Optional<ApiKey> key = authorization instanceof String header ? gate.authenticate(header) : Optional.empty();
    if (key.isPresent()) {
      JsonObject stripped = raw.copy();
      stripped.getJsonObject("headers").remove("authorization");
      event.setRawMessage(stripped);
    }
    return key;
  }
}
