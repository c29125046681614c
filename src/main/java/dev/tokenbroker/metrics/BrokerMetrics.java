package dev.tokenbroker.metrics;

import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.TokenMetrics;
import dev.tokenbroker.token.TokenStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The broker's meters in Prometheus form, next to Vert.x's own when the node runs with
 * Micrometer metrics enabled (the launcher enables them). Meter names start with
 * {@code tokenbroker_}; labels are provider, outcome, reason or error, never accounts.
 */
public final class BrokerMetrics implements TokenMetrics {
  private final PrometheusMeterRegistry registry;
  /** Meters by name and tags, so the hot path does a map look-up instead of building meters. */
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  /** The hit path's counters by provider: no string building per request. */
  private final ConcurrentHashMap<String, Counter> hits = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> misses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<HttpRoute, Timer> httpRequests = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<ProxyAnswer, Counter> proxyRequests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> proxyLatency = new ConcurrentHashMap<>();

  private record HttpRoute(String method, String route, int status) {}

  private record ProxyAnswer(String provider, int status) {}

  private BrokerMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  private Counter counter(String name, String description, String... tags) {
    return counters.computeIfAbsent(name + String.join("|", tags),
        k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  /** Uses Vert.x's Prometheus registry if there is one, else a registry of its own. */
  public static BrokerMetrics create() {
    MeterRegistry vertxRegistry = BackendRegistries.getDefaultNow();
    return new BrokerMetrics(vertxRegistry instanceof PrometheusMeterRegistry p ? p : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** Publishes the number of tokens in this node's copy of the store. */
  public BrokerMetrics watch(TokenStore store) {
    Gauge.builder("tokenbroker_tokens_stored", store, s -> s.cachedCount())
        .description("Tokens in this node's copy of the shared store").register(registry);
    Gauge.builder("tokenbroker_store_pending_writes", store, s -> s.pendingDurableWrites())
        .description("Renewed tokens kept in memory because the durable store has not taken them yet").register(registry);
    return this;
  }

  public Handler<RoutingContext> scrapeHandler() {
    return PrometheusScrapingHandler.create(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void request(String provider, boolean hit) {
    (hit ? hits : misses).computeIfAbsent(provider, p -> counter("tokenbroker_token_requests",
        "token.get requests by cache outcome", "provider", p, "outcome", hit ? "hit" : "miss")).increment();
  }

  @Override
  public void requestFailed(String provider, String error) {
    counter("tokenbroker_token_request_failures", "token requests answered with an error",
        "provider", provider, "error", error).increment();
  }

  @Override
  public void providerCall(String provider, String outcome, long nanos) {
    timers.computeIfAbsent(provider + "|" + outcome, k -> Timer.builder("tokenbroker_provider_calls")
        .description("calls to the provider's token endpoint").tag("provider", provider).tag("outcome", outcome)
        .publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One proxied request: {@code tokenbroker_proxy_requests_total{provider,status}} and the
   * latency histogram {@code tokenbroker_proxy_latency_seconds{provider}} (until the answer's end).
   */
  public void proxied(String provider, int status, long nanos) {
    proxyRequests.computeIfAbsent(new ProxyAnswer(provider, status), a -> Counter.builder("tokenbroker_proxy_requests")
        .description("requests through the API proxy by answer status").tag("provider", a.provider())
        .tag("status", Integer.toString(a.status())).register(registry)).increment();
    proxyLatency.computeIfAbsent(provider, p -> Timer.builder("tokenbroker_proxy_latency")
        .description("API proxy requests, from arrival to the answer's end").tag("provider", p)
        .publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void rotated(String provider, RotationReason reason) {
    counter("tokenbroker_rotations", "tokens rotated by this node", "provider", provider, "reason", reason.wireName()).increment();
  }

  /**
   * One HTTP request: {@code tokenbroker_http_requests_seconds{method,route,status}} (count, sum,
   * max). The broker's own rather than Vert.x's HTTP server meters, which look their meters up in
   * the registry several times per request: a large share of a cache hit's cost.
   */
  public void httpRequest(String method, String route, int status, long nanos) {
    httpRequests.computeIfAbsent(new HttpRoute(method, route, status), r -> Timer.builder("tokenbroker_http_requests")
        .description("HTTP requests by method, route template and status").tag("method", r.method()).tag("route", r.route())
        .tag("status", Integer.toString(r.status())).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }
}
