package dev.tokenbroker.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import dev.tokenbroker.bus.Addresses;
import dev.tokenbroker.bus.RefreshVerticle;
import dev.tokenbroker.bus.TokenReplies;
import dev.tokenbroker.cluster.KeyOwnership;
import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.rotation.LocalRotationLeases;
import dev.tokenbroker.token.LocalTokenStore;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenMetrics;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.service.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Benchmarks, each against a baseline measured in the same run (these machines are noisy, so
 * ratios, not absolute numbers, are the result). Not part of {@code mvn -B verify}; run with
 * {@code mvn -B -Pbench test}. Prints a table and writes {@code target/bench/results.json}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerBenchmark {
  private static final int ROUNDS = 5;
  private static final List<JsonObject> RESULTS = new ArrayList<>();

  private static void record(String name, String figure, double value, String baseline, double baselineValue, String goal) {
    JsonObject r = new JsonObject().put("benchmark", name).put("figure", figure).put("value", value)
        .put("baseline", baseline).put("baseline_value", baselineValue)
        .put("ratio", baselineValue == 0 ? null : value / baselineValue).put("goal", goal);
    RESULTS.add(r);
    System.out.printf(Locale.ROOT, "[bench] %-38s %-28s %12.1f | %-26s %12.1f | ratio %5.2f | goal %s%n",
        name, figure, value, baseline, baselineValue, baselineValue == 0 ? 0 : value / baselineValue, goal);
  }

  /** Alternates baseline and subject ROUNDS times; returns the median of each. */
  private static LoadGenerator.Result[] alternate(java.util.function.Supplier<LoadGenerator.Result> baseline,
                                                  java.util.function.Supplier<LoadGenerator.Result> subject) {
    List<LoadGenerator.Result> b = new ArrayList<>();
    List<LoadGenerator.Result> s = new ArrayList<>();
    baseline.get();
    subject.get(); // warm-up
    for (int i = 0; i < ROUNDS; i++) {
      // alternate which goes first, so neither always runs on a warmer JIT or a quieter machine
      if (i % 2 == 0) {
        b.add(baseline.get());
        s.add(subject.get());
      } else {
        s.add(subject.get());
        b.add(baseline.get());
      }
    }
    b.sort(java.util.Comparator.comparingDouble(LoadGenerator.Result::perSecond));
    s.sort(java.util.Comparator.comparingDouble(LoadGenerator.Result::perSecond));
    return new LoadGenerator.Result[] {b.get(ROUNDS / 2), s.get(ROUNDS / 2)};
  }

  @Test
  @Order(1)
  void tokenGetCacheHitOverTheEventBus() {
    try (ProviderDouble provider = ProviderDouble.start()) {
      provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("bench", 86398))));
      JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
      config.put("bus", new JsonObject().put("instances", Integer.getInteger("bench.bus.instances", 2)));
      try (BrokerNode node = BrokerNode.start(config)) {
        JsonObject reply = node.request(Addresses.get("esignglobal"), null);
        // the baseline: as many bare consumers as token verticles, replying with the same JSON
        Await.result(node.vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
          @Override
          public Future<?> start() {
            return vertx.eventBus().<Object>consumer("bench.bare", m -> m.reply(reply.copy())).completion();
          }
        }, new io.vertx.core.DeploymentOptions().setInstances(config.getJsonObject("bus").getInteger("instances"))));
        io.vertx.core.Context caller = node.vertx.getOrCreateContext();
        LoadGenerator.Result[] r = alternate(
            () -> LoadGenerator.run(caller, 200_000, 128, () -> node.vertx.eventBus().request("bench.bare", null)),
            () -> LoadGenerator.run(caller, 200_000, 128, () -> node.vertx.eventBus().request(Addresses.get("esignglobal"), null)));
        record("token.get hit (event bus)", "requests/s", r[1].perSecond(), "bare consumer, same JSON", r[0].perSecond(), ">= 0.8x");
        record("token.get hit (event bus)", "p50 us", r[1].p50Micros(), "bare consumer", r[0].p50Micros(), "-");
        record("token.get hit (event bus)", "p99 us", r[1].p99Micros(), "bare consumer", r[0].p99Micros(), "-");
      }
    }
  }

  @Test
  @Order(2)
  void httpBridgeAgainstABareVertxServer() {
    try (ProviderDouble provider = ProviderDouble.start()) {
      provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("bench", 86398))));
      JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
      try (BrokerNode node = BrokerNode.start(config)) {
        String body = node.request(Addresses.get("esignglobal"), null).encode();
        HttpServer bare = Await.result(node.vertx.createHttpServer()
            .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(body)).listen(0, "127.0.0.1"));
        HttpClientAgent client = node.vertx.createHttpClient(new HttpClientOptions().setPipelining(false).setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(32));
        String auth = "Bearer " + TestConfigs.API_KEY;
        java.util.function.Function<RequestOptions, Future<?>> call = opts -> client.request(opts)
            .compose(req -> req.send()).compose(resp -> resp.body());
        RequestOptions bareReq = new RequestOptions().setMethod(HttpMethod.GET).setPort(bare.actualPort()).setHost("127.0.0.1")
            .setURI("/v1/tokens/esignglobal").putHeader("Authorization", auth);
        RequestOptions brokerReq = new RequestOptions().setMethod(HttpMethod.GET).setPort(node.httpPort()).setHost("127.0.0.1")
            .setURI("/v1/tokens/esignglobal").putHeader("Authorization", auth);
        LoadGenerator.Result[] r = alternate(
            () -> LoadGenerator.run(60_000, 32, () -> call.apply(bareReq)),
            () -> LoadGenerator.run(60_000, 32, () -> call.apply(brokerReq)));
        record("GET /v1/tokens (HTTP, API key)", "requests/s", r[1].perSecond(), "bare Vert.x server, same JSON", r[0].perSecond(), ">= 0.7x");
        record("GET /v1/tokens (HTTP, API key)", "p99 us", r[1].p99Micros(), "bare Vert.x server", r[0].p99Micros(), "-");
      }
    }
  }

  @Test
  @Order(3)
  void stampedeOfColdRequestsOverThreeClusteredNodes() {
    try (ProviderDouble provider = ProviderDouble.start()) {
      provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("cold", 86398)).withFixedDelay(200)));
      JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
      List<BrokerNode> nodes = new ArrayList<>();
      for (Vertx v : ClusterSupport.startNodes(ClusterSupport.uniqueName(), 3)) {
        nodes.add(BrokerNode.start(v, config, Clock.systemUTC()));
      }
      try {
        int[] i = {0};
        LoadGenerator.Result r = LoadGenerator.run(1000, 1000,
            () -> nodes.get(i[0]++ % 3).vertx.eventBus().request(Addresses.get("esignglobal"), null));
        record("stampede: 1000 cold gets, 3 nodes", "provider calls", provider.calls(ProviderDouble.ESIGNGLOBAL_PATH),
            "goal", 1, "1");
        record("stampede: 1000 cold gets, 3 nodes", "p99 wait ms", r.p99Micros() / 1000, "provider latency ms", 200, "-");
      } finally {
        nodes.forEach(BrokerNode::close);
      }
    }
  }

  @Test
  @Order(4)
  void oneHundredThousandTokensScheduledOnOneNode() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      BrokerConfig cfg = BrokerConfig.parse(TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal("https://unused.example.com"))));
      LocalTokenStore store = new LocalTokenStore();
      TokenService service = new TokenService(cfg.providers(), store, new LocalRotationLeases(),
          new dev.tokenbroker.provider.TokenEndpointClient(vertx, Clock.systemUTC(), null),
          new TokenPolicy(cfg.refresh(), Clock.systemUTC(), new Random(1)), TokenEvents.NONE, TokenMetrics.NONE);
      RefreshVerticle refresh = new RefreshVerticle(service, KeyOwnership.SINGLE_NODE);
      Await.result(vertx.deployVerticle(refresh));
      long idleHeap = usedHeapAfterGc();
      Instant now = Instant.now();
      long start = System.nanoTime();
      for (int i = 0; i < 100_000; i++) {
        TokenKey key = new TokenKey("esignglobal", "acct-" + i);
        store.compareAndSet(key, 0, new Token(key, Secret.of("access-token-" + i + "-0123456789abcdef0123456789abcdef"), "Bearer", "read-write",
            now, now.plusSeconds(86_398 - i % 3600), Secret.of("refresh-" + i + "-0123456789abcdef"), null, 1, null, false, null));
      }
      Await.until("100 000 timers", java.time.Duration.ofMinutes(2), () -> refresh.scheduledCount() == 100_000);
      double scheduleMillis = (System.nanoTime() - start) / 1e6;
      long heap = usedHeapAfterGc() - idleHeap;
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      Thread.sleep(5000); // measuring idle CPU needs idle time
      double idleCpuPercent = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
      record("100 000 tokens on one node", "heap MB above idle", heap / 1e6, "goal MB", 150, "< 150 MB");
      record("100 000 tokens on one node", "ms to store + schedule", scheduleMillis, "-", 0, "-");
      record("100 000 tokens on one node", "idle CPU % (process)", idleCpuPercent, "-", 0, "-");
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  @Order(6)
  void proxiedGetAgainstTheSameGetStraightToTheUpstream() {
    Vertx upstreamVertx = Vertx.vertx();
    try (ProviderDouble provider = ProviderDouble.start()) {
      provider.stub(post(urlPathEqualTo("/other/token")).willReturn(okJson(TestConfigs.tokenJson("bench", 86398))));
      String answer = new JsonObject().put("id", 123).put("name", "a document").put("status", "signed").encode();
      HttpServer upstream = Await.result(upstreamVertx.createHttpServer()
          .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(answer))
          .listen(0, "127.0.0.1"));
      JsonObject config = TestConfigs.broker(new JsonObject().put("other", new JsonObject()
          .put("token-url", provider.baseUrl() + "/other/token").put("client-id", "c").put("client-secret", "s")
          .put("api-base-url", "http://127.0.0.1:" + upstream.actualPort() + "/api")));
      try (BrokerNode node = BrokerNode.start(config)) {
        HttpClientAgent client = node.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(32));
        java.util.function.Function<RequestOptions, Future<?>> call = opts -> client.request(opts)
            .compose(req -> req.send()).compose(resp -> resp.body());
        RequestOptions direct = new RequestOptions().setMethod(HttpMethod.GET).setPort(upstream.actualPort())
            .setHost("127.0.0.1").setURI("/api/documents/123").putHeader("Authorization", "Bearer bench");
        RequestOptions proxied = new RequestOptions().setMethod(HttpMethod.GET).setPort(node.httpPort()).setHost("127.0.0.1")
            .setURI("/v1/proxy/other/documents/123").putHeader("Authorization", "Bearer " + TestConfigs.API_KEY);
        Await.result(call.apply(proxied)); // the first call fetches the token
        LoadGenerator.Result[] r = alternate(
            () -> LoadGenerator.run(30_000, 32, () -> call.apply(direct)),
            () -> LoadGenerator.run(30_000, 32, () -> call.apply(proxied)));
        record("proxied GET (API proxy)", "requests/s", r[1].perSecond(), "same GET straight to upstream", r[0].perSecond(),
            ">= 0.7x");
        record("proxied GET (API proxy)", "p99 us", r[1].p99Micros(), "straight to upstream", r[0].p99Micros(),
            "< 1000 us added");
      }
    } finally {
      Await.result(upstreamVertx.close());
    }
  }

  @Test
  @Order(5)
  void clusteredGetOnTheOwnerAndOnAnotherNode() {
    try (ProviderDouble provider = ProviderDouble.start()) {
      provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("c", 86398))));
      JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
      List<BrokerNode> nodes = new ArrayList<>();
      for (Vertx v : ClusterSupport.startNodes(ClusterSupport.uniqueName(), 2)) {
        nodes.add(BrokerNode.start(v, config, Clock.systemUTC()));
      }
      try {
        TokenKey key = new TokenKey("esignglobal", "default");
        Await.result(nodes.get(0).service().get(key, 0, null));
        Await.until("both copies", java.time.Duration.ofSeconds(10), () -> nodes.get(1).service().store().cached(key) != null);
        BrokerNode owner = owns(nodes.get(0), key) ? nodes.get(0) : nodes.get(1);
        BrokerNode other = owner == nodes.get(0) ? nodes.get(1) : nodes.get(0);
        io.vertx.core.Context onOwner = owner.vertx.getOrCreateContext();
        io.vertx.core.Context onOther = other.vertx.getOrCreateContext();
        LoadGenerator.Result[] r = alternate(
            () -> LoadGenerator.run(onOwner, 300_000, 128, () -> owner.service().get(key, 0, null).map(t -> TokenReplies.reply(t, Instant.now()))),
            () -> LoadGenerator.run(onOther, 300_000, 128, () -> other.service().get(key, 0, null).map(t -> TokenReplies.reply(t, Instant.now()))));
        record("clustered get: non-owner vs owner", "requests/s", r[1].perSecond(), "owner node", r[0].perSecond(), "~1x (local copy)");
        com.hazelcast.map.IMap<String, String> map = hazelcast(other).getMap(dev.tokenbroker.cluster.HazelcastTokenStore.MAP_NAME);
        LoadGenerator.Result remote = LoadGenerator.run(onOther, 20_000, 128,
            () -> Future.fromCompletionStage(map.getAsync(key.id()), onOther));
        record("remote map read (IMap.getAsync)", "requests/s", remote.perSecond(), "non-owner local copy", r[1].perSecond(),
            "reference: avoided on hits");
      } finally {
        nodes.forEach(BrokerNode::close);
      }
    }
  }

  private static com.hazelcast.core.HazelcastInstance hazelcast(BrokerNode node) {
    return ((io.vertx.spi.cluster.hazelcast.HazelcastClusterManager) ((io.vertx.core.internal.VertxInternal) node.vertx).clusterManager())
        .getHazelcastInstance();
  }

  private static boolean owns(BrokerNode node, TokenKey key) {
    return hazelcast(node).getPartitionService().getPartition(key.id()).getOwner().localMember();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Issue 15: what the Java client's node-local cache buys a verticle. Subject: {@code get} through
   * {@link dev.tokenbroker.client.TokenClient} on a warm cache; baseline: the same token as a bare
   * event-bus request to the broker's {@code token.get} consumer (itself a cache hit, never touching
   * the provider). Both from one event loop, as a verticle would call them, in one run. Fails when the
   * cached get is not at least {@link #CLIENT_CACHE_GOAL} times the bus request's rate, or when the
   * cached gets sent any bus request at all.
   */
  @Test
  @Order(20)
  void clientCachedGetAgainstABareEventBusRequest() {
    try (ProviderDouble provider = ProviderDouble.start()) {
      provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("bench", 86398))));
      // the one provider call is not measured: a cold WireMock on a busy machine may take more than 2 s
      JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal",
          TestConfigs.esignglobal(provider.baseUrl()).put("timeout-seconds", 20)));
      try (BrokerNode node = BrokerNode.start(config)) {
        String address = Addresses.get("esignglobal");
        dev.tokenbroker.client.TokenClient client = dev.tokenbroker.client.TokenClient.create(node.vertx);
        try {
          Await.result(client.get("esignglobal")); // the one miss: fills the broker and the client's cache
          // what the client itself would send on a miss
          JsonObject body = new JsonObject().put("account", "default").put("min_validity", 30);
          io.vertx.core.Context caller = node.vertx.getOrCreateContext();
          LoadGenerator.Result[] r = alternate(
              () -> LoadGenerator.run(caller, 200_000, 128, () -> node.vertx.eventBus().request(address, body)),
              () -> LoadGenerator.run(caller, 2_000_000, 128, () -> client.get("esignglobal")));
          org.junit.jupiter.api.Assertions.assertEquals(0, r[0].errors() + r[1].errors(), "failed requests");
          record("TokenClient.get (client's cache)", "requests/s", r[1].perSecond(), "bare bus request to broker", r[0].perSecond(),
              ">= " + CLIENT_CACHE_GOAL + "x");
          record("TokenClient.get (client's cache)", "p50 us", r[1].p50Micros(), "bare bus request", r[0].p50Micros(), "-");
          record("TokenClient.get (client's cache)", "p99 us", r[1].p99Micros(), "bare bus request", r[0].p99Micros(), "-");
          assertCachedGetsSendNothing(node.vertx, caller, client, address);
          double ratio = r[1].perSecond() / r[0].perSecond();
          org.junit.jupiter.api.Assertions.assertTrue(ratio >= CLIENT_CACHE_GOAL, String.format(Locale.ROOT,
              "cached get %.0f/s is %.1fx a bus request (%.0f/s); goal >= %dx", r[1].perSecond(), ratio, r[0].perSecond(), CLIENT_CACHE_GOAL));
        } finally {
          Await.result(client.close());
        }
      }
    }
  }

  private static final int CLIENT_CACHE_GOAL = 5;

  /** Proof that the subject measured the cache: 10 000 more cached gets, no token.get on the bus. */
  private static void assertCachedGetsSendNothing(Vertx vertx, io.vertx.core.Context caller,
      dev.tokenbroker.client.TokenClient client, String address) {
    java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> count = ctx -> {
      if (ctx.message().address().equals(address)) {
        sent.incrementAndGet();
      }
      ctx.next();
    };
    vertx.eventBus().addOutboundInterceptor(count);
    try {
      LoadGenerator.run(caller, 10_000, 128, () -> client.get("esignglobal"));
    } finally {
      vertx.eventBus().removeOutboundInterceptor(count);
    }
    org.junit.jupiter.api.Assertions.assertEquals(0, sent.get(), "token.get requests sent by cached gets");
  }

  @AfterAll
  static void write() throws IOException {
    Path dir = Path.of("target", "bench");
    Files.createDirectories(dir);
    JsonObject out = new JsonObject()
        .put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
            + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"))
        .put("results", new JsonArray(RESULTS));
    Files.writeString(dir.resolve("results.json"), out.encodePrettily());
    System.out.println("[bench] written to " + dir.resolve("results.json"));
  }

}
