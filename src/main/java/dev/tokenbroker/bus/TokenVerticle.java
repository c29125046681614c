package dev.tokenbroker.bus;

import dev.tokenbroker.wire.TokenRequest;
import dev.tokenbroker.wire.TokenReplies;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Answers {@code token.get.<provider>} and {@code token.refresh.<provider>}. Thin: parses the
 * body, calls the {@link TokenService}, replies or fails with the contract's code and JSON text.
 * Deploy several instances; they share the node's service.
 */
public final class TokenVerticle extends VerticleBase {
  private static final Log LOG = Log.of(TokenVerticle.class);

  private final TokenService service;
  private final List<String> providers;

  public TokenVerticle(TokenService service, List<String> providers) {
    this.service = service;
    this.providers = List.copyOf(providers);
  }

  @Override
  public Future<?> start() {
    List<Future<Void>> registrations = new ArrayList<>();
    for (String provider : providers) {
      registrations.add(consume(Addresses.get(provider), message -> {
        TokenRequest request = TokenRequest.forGet(message.body());
        return service.get(request.key(provider), request.minValidity(), request.rejectedVersion());
      }));
      registrations.add(consume(Addresses.refresh(provider), message ->
          service.refresh(TokenRequest.forRefresh(message.body()).key(provider), RotationReason.FORCED)));
    }
    return Future.all(registrations);
  }

  private Future<Void> consume(String address, Function<Message<Object>, Future<Token>> handler) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, message -> {
      Future<Token> result;
      try {
        result = handler.apply(message);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(TokenReplies.reply(ar.result(), service.now()));
        } else {
          fail(message, ar.cause());
        }
      });
    });
    return consumer.completion();
  }

  static void fail(Message<?> message, Throwable cause) {
    BrokerException error = BrokerException.from(cause);
    if (!(cause instanceof BrokerException)) {
      LOG.error("Unexpected failure answering " + message.address(), cause);
    }
    message.fail(error.code().status(), error.toJson().encode());
  }
}
