package dev.tokenbroker.webhook;

import dev.tokenbroker.config.WebhookConfig;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.net.OutboundHttp;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers lifecycle events to the configured webhooks: a JSON POST per event and subscribed
 * webhook, signed ({@link WebhookSignature}), retried with exponential backoff on anything but a
 * 2xx (at most {@link #MAX_ATTEMPTS} attempts, each cut off after {@link #ATTEMPT_TIMEOUT_MS}).
 *
 * <p>Invariants:
 * <ol>
 *   <li><b>Once per event in the cluster.</b> This is not a bus subscriber: the broker calls it, as a
 *       {@link TokenEvents}, only on the node that produced the event (the node that did the rotation,
 *       set the {@code token.expiring} mark by compare-and-set, or handled the authorization or the
 *       delete), so exactly one node delivers each event. A delivery lives in that node's memory: if
 *       the node stops before the receiver accepted it, it is lost (at most once then, never twice).</li>
 *   <li><b>Bounded.</b> At most {@link #MAX_PENDING} deliveries wait or run per node; beyond, new ones
 *       are dropped with a warning.</li>
 *   <li><b>No secret.</b> Bodies are built from non-secret fields only; the signing secret goes only
 *       into the HMAC; URLs are logged, bodies and secrets never.</li>
 * </ol>
 */
public final class WebhookDispatcher implements TokenEvents {
  public static final int MAX_ATTEMPTS = 5;
  public static final int MAX_PENDING = 1000;
  /** The wait before the second attempt; doubled for each one after (1, 2, 4, 8 s). */
  public static final long INITIAL_BACKOFF_MS = 1000;
  static final long ATTEMPT_TIMEOUT_MS = 10_000;
  private static final Log LOG = Log.of(WebhookDispatcher.class);

  private final Vertx vertx;
  private final Clock clock;
  private final List<WebhookConfig> hooks;
  private final long initialBackoffMs;
  private final HttpClient client;
  private final AtomicInteger pending = new AtomicInteger();
  private final Set<Long> timers = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** @param initialBackoffMs the wait before the second attempt; doubled for each one after */
  public WebhookDispatcher(Vertx vertx, Clock clock, List<WebhookConfig> hooks, long initialBackoffMs) {
    this.vertx = vertx;
    this.clock = clock;
    this.hooks = List.copyOf(hooks);
    this.initialBackoffMs = initialBackoffMs;
    this.client = OutboundHttp.client(vertx, new HttpClientOptions().setVerifyHost(true).setConnectTimeout(5_000)
        .setKeepAliveTimeout(5));
  }

  /** Deliveries waiting or in flight on this node. */
  public int pending() {
    return pending.get();
  }

  /** Stops retrying and closes the client; what is still pending is dropped (logged). */
  public Future<Void> close() {
    closed = true;
    timers.forEach(vertx::cancelTimer);
    if (pending.get() > 0) {
      LOG.warn("Stopping with " + pending.get() + " webhook deliveries not yet accepted; they are dropped");
    }
    return client.close();
  }

  @Override
  public void rotated(Token token, RotationReason reason) {
    // not a webhook event: authorizations arrive through authorized()
  }

  @Override
  public void failed(TokenKey key, BrokerException error, boolean authorizationRequired, Instant retryAt) {
    emit("token.failed", key, base -> WebhookPayloads.failed(base, error, authorizationRequired, retryAt));
  }

  @Override
  public void recovered(Token token, int failures, Instant lostAnswerAt) {
    emit("token.recovered", token.key(), base -> WebhookPayloads.recovered(base, token, failures, lostAnswerAt));
  }

  @Override
  public void expiring(TokenKey key, Instant refreshExpiresAt) {
    emit("token.expiring", key, base -> WebhookPayloads.expiring(base, refreshExpiresAt));
  }

  @Override
  public void authorized(Token token) {
    emit("account.authorized", token.key(), base -> WebhookPayloads.authorized(base, token));
  }

  @Override
  public void disconnected(TokenKey key, boolean revoked) {
    emit("account.disconnected", key, base -> WebhookPayloads.disconnected(base, revoked));
  }

  private void emit(String event, TokenKey key, java.util.function.UnaryOperator<JsonObject> fields) {
    if (closed) {
      return;
    }
    String body = null;
    for (WebhookConfig hook : hooks) {
      if (!hook.events().contains(event)) {
        continue;
      }
      if (body == null) {
        body = fields.apply(WebhookPayloads.base(event, UUID.randomUUID().toString(), clock.instant(), key)).encode();
      }
      if (pending.incrementAndGet() > MAX_PENDING) {
        pending.decrementAndGet();
        LOG.warn("Webhook delivery of " + event + " for " + key + " to " + hook.url() + " dropped: " + MAX_PENDING
            + " deliveries are already waiting on this node");
        continue;
      }
      attempt(new Delivery(hook, event, key, body), 1);
    }
  }

  private record Delivery(WebhookConfig hook, String event, TokenKey key, String body) {}

  private void attempt(Delivery d, int attempt) {
    if (closed) {
      pending.decrementAndGet();
      return;
    }
    send(d).onComplete(ar -> {
      if (ar.succeeded() && ar.result() >= 200 && ar.result() < 300) {
        pending.decrementAndGet();
        return;
      }
      String why = ar.succeeded() ? "HTTP " + ar.result() : ar.cause().getClass().getSimpleName()
          + (ar.cause().getMessage() == null ? "" : " " + ar.cause().getMessage());
      if (attempt >= MAX_ATTEMPTS || closed) {
        pending.decrementAndGet();
        LOG.warn("Webhook " + d.hook().url() + " did not accept " + d.event() + " for " + d.key() + " after " + attempt
            + " attempts (" + why + "); given up");
        return;
      }
      long delay = initialBackoffMs << (attempt - 1);
      LOG.info("Webhook " + d.hook().url() + " did not accept " + d.event() + " for " + d.key() + " (" + why
          + "); attempt " + (attempt + 1) + " in " + delay + " ms");
      long[] id = new long[1];
      id[0] = vertx.setTimer(delay, t -> {
        timers.remove(id[0]);
        attempt(d, attempt + 1);
      });
      timers.add(id[0]);
    });
  }

  /** One POST, signed now; completes with the status, or fails (also when the deadline passes first). */
  private Future<Integer> send(Delivery d) {
    String signature = WebhookSignature.header(d.hook().secret(), clock.instant().getEpochSecond(), d.body());
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(d.hook().url())
        .setFollowRedirects(false)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.USER_AGENT, "token-broker")
        .putHeader(WebhookSignature.HEADER, signature)
        .putHeader("Token-Broker-Event", d.event());
    Promise<Integer> result = Promise.promise();
    long deadline = vertx.setTimer(ATTEMPT_TIMEOUT_MS, t -> result.tryFail(new java.util.concurrent.TimeoutException(
        "no answer within " + ATTEMPT_TIMEOUT_MS / 1000 + " s")));
    Future<io.vertx.core.http.HttpClientRequest> connecting;
    try {
      connecting = client.request(options);
    } catch (RuntimeException e) {
      vertx.cancelTimer(deadline);
      return Future.failedFuture(e);
    }
    connecting.compose(request -> {
      result.future().onFailure(x -> request.reset());
      return request.send(Buffer.buffer(d.body()));
    }).compose(response -> {
      response.handler(ignored -> { }); // the answer's body is not read
      return response.end().map(v -> response.statusCode());
    }).onComplete(ar -> {
      vertx.cancelTimer(deadline);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }
}
