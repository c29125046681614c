package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.tokenbroker.bus.Addresses;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three Hazelcast-clustered nodes in one JVM: cluster-wide single flight, one refresher per token, failover. */
class ThreeNodeClusterTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");
  private ProviderDouble provider;
  private final List<BrokerNode> nodes = new ArrayList<>();

  @BeforeEach
  void start() {
    provider = ProviderDouble.start();
  }

  @AfterEach
  void stop() {
    for (BrokerNode node : nodes) {
      try {
        Await.result(node.vertx.close(), Duration.ofSeconds(20));
      } catch (RuntimeException | AssertionError alreadyDead) {
        // a node killed by the test
      }
    }
    provider.close();
  }

  private void startCluster(long lifetimeSeconds, long delayMillis) {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withFixedDelay((int) delayMillis)
        .withHeader("Content-Type", "application/json").withTransformers("response-template")
        .withBody("{\"access_token\":\"t-{{randomValue length=10 type='ALPHANUMERIC'}}\",\"expires_in\":" + lifetimeSeconds
            + ",\"token_type\":\"bearer\"}")));
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
    config.getJsonObject("refresh").put("min-validity-seconds", 0);
    for (Vertx vertx : ClusterSupport.startNodes(ClusterSupport.uniqueName(), 3)) {
      nodes.add(BrokerNode.start(vertx, config, Clock.systemUTC()));
    }
  }

  private static HazelcastInstance hazelcast(BrokerNode node) {
    return ((HazelcastClusterManager) ((VertxInternal) node.vertx).clusterManager()).getHazelcastInstance();
  }

  private BrokerNode owner() {
    return nodes.stream().filter(n -> hazelcast(n).getPartitionService().getPartition(KEY.id()).getOwner().localMember())
        .findFirst().orElseThrow();
  }

  @Test
  void threeHundredConcurrentColdGetsAcrossThreeNodesMakeOneProviderCall() {
    startCluster(86398, 300);
    List<Future<Message<JsonObject>>> replies = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      replies.add(nodes.get(i % 3).vertx.eventBus().request(Addresses.get("esignglobal"), null));
    }
    Await.result(Future.all(replies), Duration.ofSeconds(60));

    assertEquals(1, provider.calls(PATH));
    assertEquals(1, replies.stream().map(f -> f.result().body().getString("access_token")).distinct().count(),
        "every caller got the one token");
  }

  @Test
  void eachScheduledRotationIsOneProviderCall() {
    startCluster(3, 0);
    nodes.get(1).request(Addresses.get("esignglobal"), null);

    Await.until("four scheduled rotations", Duration.ofSeconds(30),
        () -> nodes.get(0).service().store().cached(KEY) != null && nodes.get(0).service().store().cached(KEY).version() >= 5);

    long version = Await.result(nodes.get(0).service().store().load(KEY)).version();
    int calls = provider.calls(PATH);
    System.out.printf("[cluster] provider calls per rotation: %d calls for %d versions = %.2f%n", calls, version, (double) calls / version);
    assertTrue(calls == version || calls == version + 1, calls + " calls for version " + version);
  }

  @Test
  void whenTheOwnerDiesASurvivorRenewsBeforeExpiry() {
    startCluster(8, 0);
    Token first = Await.result(nodes.get(0).service().get(KEY, 0, null));
    BrokerNode owner = owner();
    List<BrokerNode> survivors = nodes.stream().filter(n -> n != owner).toList();
    Await.until("survivors' local copies", Duration.ofSeconds(10),
        () -> survivors.stream().allMatch(n -> n.service().store().cached(KEY) != null));

    Instant killedAt = Instant.now();
    hazelcast(owner).getLifecycleService().terminate();

    Await.until("a survivor's renewal", Duration.ofSeconds(30),
        () -> survivors.get(0).service().store().cached(KEY).version() > first.version());
    Instant renewedAt = Instant.now();
    Token renewed = survivors.get(0).service().store().cached(KEY);
    System.out.printf("[cluster] owner killed %s, survivor renewed %d ms later; old token expired at %s (%d ms after the kill)%n",
        killedAt, Duration.between(killedAt, renewedAt).toMillis(), first.expiresAt(),
        Duration.between(killedAt, first.expiresAt()).toMillis());
    assertTrue(renewed.issuedAt().isBefore(first.expiresAt()), "renewed at " + renewed.issuedAt() + ", expiry " + first.expiresAt());
  }

  @Test
  void aForcedRefreshOnANonOwnerIsOneCallAndOneEventPerSubscriber() {
    startCluster(86398, 0);
    nodes.get(0).request(Addresses.get("esignglobal"), null);
    BrokerNode owner = owner();
    BrokerNode other = nodes.stream().filter(n -> n != owner).findFirst().orElseThrow();
    Map<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      AtomicInteger count = seen.computeIfAbsent(i, k -> new AtomicInteger());
      Await.result(nodes.get(i).vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> {
        if ("forced".equals(m.body().getString("reason"))) {
          count.incrementAndGet();
        }
      }).completion());
    }
    int before = provider.calls(PATH);

    JsonObject reply = other.request(Addresses.refresh("esignglobal"), null);

    assertEquals(2L, reply.getLong("version"));
    Await.until("every subscriber saw the rotation", Duration.ofSeconds(10),
        () -> seen.values().stream().allMatch(c -> c.get() >= 1));
    assertEquals(before + 1, provider.calls(PATH));
    Await.until("owner's copy at v2", Duration.ofSeconds(10), () -> owner.service().store().cached(KEY).version() == 2);
    seen.values().forEach(c -> assertEquals(1, c.get()));
  }
}
