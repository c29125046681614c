package dev.tokenbroker.client;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The {@link TokenClient}: a node-local cache in front of the event-bus contract.
 *
 * <p>Invariants: a cached token is answered only while it has the minimum validity left and no
 * {@code token.rotated} announced a newer version of it; the cache never goes back to an older
 * version (an answer overtaken by a rotation event is handed to its caller, not cached); at most
 * one {@code token.get} per token (and per rejected version) is in flight from this client.
 */
final class CachingTokenClient implements TokenClient {
  static final String GET_PREFIX = "token.get.";
  static final String REFRESH_PREFIX = "token.refresh.";
  static final String ROTATED = "token.rotated";
  private static final System.Logger LOG = System.getLogger(TokenClient.class.getName());

  private record Key(String provider, String account) {}

  /** One shared request: a plain get, or a get reporting a rejected version. */
  private record Flight(Key key, Long rejectedVersion) {}

  private final Vertx vertx;
  private final String defaultAccount;
  private final Duration minValidity;
  private final Duration timeout;
  private final java.time.Clock clock;
  private final ConcurrentHashMap<Key, AccessToken> cache = new ConcurrentHashMap<>();
  /** The highest version token.rotated announced per token: answers older than it are not cached. */
  private final ConcurrentHashMap<Key, Long> announced = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Flight, Future<AccessToken>> inFlight = new ConcurrentHashMap<>();
  private final List<Handler<TokenRotated>> rotationHandlers = new CopyOnWriteArrayList<>();
  private final MessageConsumer<Object> rotations;

  CachingTokenClient(Vertx vertx, TokenClientOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.defaultAccount = options.getDefaultAccount();
    this.minValidity = options.getMinValidity();
    this.timeout = options.getRequestTimeout();
    this.clock = options.getClock();
    this.rotations = vertx.eventBus().consumer(ROTATED, this::rotated);
  }

  @Override
  public Future<AccessToken> get(String provider) {
    return get(provider, defaultAccount);
  }

  @Override
  public Future<AccessToken> get(String provider, String account) {
    Key key = key(provider, account);
    AccessToken cached = cache.get(key);
    if (cached != null && fresh(cached)) {
      return Future.succeededFuture(cached);
    }
    return shared(new Flight(key, null), () -> request(GET_PREFIX, key, getBody(key)));
  }

  @Override
  public Future<AccessToken> refresh(String provider) {
    return refresh(provider, defaultAccount);
  }

  @Override
  public Future<AccessToken> refresh(String provider, String account) {
    Key key = key(provider, account);
    return request(REFRESH_PREFIX, key, new JsonObject().put("account", key.account()));
  }

  @Override
  public Future<AccessToken> rejected(AccessToken token) {
    Key key = key(token.provider(), token.account());
    AccessToken cached = cache.get(key);
    if (cached != null && cached.version() > token.version() && fresh(cached)) {
      return Future.succeededFuture(cached);
    }
    cache.computeIfPresent(key, (k, current) -> current.version() <= token.version() ? null : current);
    return shared(new Flight(key, token.version()),
        () -> request(GET_PREFIX, key, getBody(key).put("rejected_version", token.version())));
  }

  @Override
  public TokenClient onRotated(Handler<TokenRotated> handler) {
    rotationHandlers.add(Objects.requireNonNull(handler, "handler"));
    return this;
  }

  @Override
  public Future<Void> close() {
    rotationHandlers.clear();
    cache.clear();
    return rotations.unregister();
  }

  private boolean fresh(AccessToken token) {
    return token.isValidFor(minValidity, clock.instant());
  }

  private JsonObject getBody(Key key) {
    return new JsonObject().put("account", key.account()).put("min_validity", minValidity.toSeconds());
  }

  /** Joins the request in flight for {@code flight}, or starts it. */
  private Future<AccessToken> shared(Flight flight, Supplier<Future<AccessToken>> call) {
    Promise<AccessToken> promise = Promise.promise();
    Future<AccessToken> running = inFlight.putIfAbsent(flight, promise.future());
    if (running != null) {
      return running;
    }
    Future<AccessToken> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      inFlight.remove(flight, promise.future());
      promise.handle(ar);
    });
    return promise.future();
  }

  private Future<AccessToken> request(String prefix, Key key, JsonObject body) {
    String address = prefix + key.provider();
    return vertx.eventBus().<Object>request(address, body, new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .map(reply -> token(reply, key))
        .recover(failure -> Future.failedFuture(TokenBrokerException.from(failure, address, timeout)))
        .onSuccess(this::remember);
  }

  private static AccessToken token(Message<Object> reply, Key key) {
    if (!(reply.body() instanceof JsonObject json)) {
      throw new TokenBrokerException(500, TokenBrokerException.INTERNAL_ERROR, "the broker's reply is not a JSON object", null);
    }
    try {
      AccessToken token = AccessToken.fromReply(json);
      return token.provider().isEmpty() || token.account().isEmpty()
          ? new AccessToken(key.provider(), key.account(), token.value(), token.version(), token.expiresAt(), token.scope())
          : token;
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new TokenBrokerException(500, TokenBrokerException.INTERNAL_ERROR, e.getMessage(), null);
    }
  }

  private void remember(AccessToken token) {
    Key key = new Key(token.provider(), token.account());
    Long newest = announced.get(key);
    if (newest != null && newest > token.version()) {
      return;
    }
    cache.merge(key, token, (old, answer) -> answer.version() >= old.version() ? answer : old);
  }

  private void rotated(Message<Object> message) {
    TokenRotated event = TokenRotated.fromJson(message.body());
    if (event == null) {
      return;
    }
    Key key = new Key(event.provider(), event.account());
    announced.merge(key, event.version(), Math::max);
    cache.computeIfPresent(key, (k, current) -> current.version() < event.version() ? null : current);
    for (Handler<TokenRotated> handler : rotationHandlers) {
      try {
        handler.handle(event);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a token.rotated handler failed", e);
      }
    }
  }

  private Key key(String provider, String account) {
    if (provider == null || provider.isEmpty()) {
      throw new IllegalArgumentException("provider must not be empty");
    }
    if (account == null || account.isEmpty()) {
      throw new IllegalArgumentException("account must not be empty");
    }
    return new Key(provider, account);
  }
}
