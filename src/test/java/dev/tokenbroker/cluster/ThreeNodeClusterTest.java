package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.hazelcast.core.HazelcastInstance;
import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.RotationReason;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Hazelcast-clustered nodes in one JVM: cluster-wide single flight, one refresher per token,
 * failover. Node i calls the provider with client id {@code client-i}, so calls show who made them.
 */
class ThreeNodeClusterTest {
  private static final String PATH = ProviderDouble.ESIGNGLOBAL_PATH;
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private final List<BrokerNode> nodes = new ArrayList<>();

  /** Every call answers a new random token valid for {@code lifetimeSeconds}, after {@code delayMillis}. */
  private void stubTokens(long lifetimeSeconds, long delayMillis) {
    provider.stub(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200).withFixedDelay((int) delayMillis)
        .withHeader("Content-Type", "application/json").withTransformers("response-template")
        .withBody("{\"access_token\":\"t-{{randomValue length=10 type='ALPHANUMERIC'}}\",\"expires_in\":" + lifetimeSeconds
            + ",\"token_type\":\"bearer\"}")));
  }

  private void startCluster() {
    nodes.addAll(broker.startCluster(3, i -> {
      JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal",
          TestConfigs.esignglobal(provider.baseUrl()).put("client-id", clientId(i))));
      config.getJsonObject("refresh").put("min-validity-seconds", 0);
      return config;
    }));
    Await.until("the partition table to settle", Duration.ofSeconds(30),
        () -> nodes.stream().allMatch(n -> hazelcast(n).getPartitionService().isClusterSafe()));
  }

  private static String clientId(int node) {
    return "client-" + node;
  }

  private String clientId(BrokerNode node) {
    return clientId(nodes.indexOf(node));
  }

  private static String clientIdOf(LoggedRequest call) {
    return ProviderDouble.params(call).get("client_id");
  }

  private static HazelcastInstance hazelcast(BrokerNode node) {
    return ClusterSupport.hazelcast(node.vertx);
  }

  private BrokerNode owner() {
    return nodes.stream().filter(n -> hazelcast(n).getPartitionService().getPartition(KEY.id()).getOwner().localMember())
        .findFirst().orElseThrow();
  }

  private static List<JsonObject> rotatedEventsOn(BrokerNode node) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Await.result(node.vertx.eventBus().<JsonObject>consumer(Addresses.ROTATED, m -> events.add(m.body())).completion());
    return events;
  }

  @Test
  void threeHundredConcurrentColdGetsAcrossThreeNodesMakeOneProviderCall() {
    stubTokens(86398, 300);
    startCluster();
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
    // five 3 s tokens, then a long one: rotations stop at version 6
    provider.stubLifetimes(PATH, 3, 3, 3, 3, 3, 86398);
    startCluster();
    List<JsonObject> rotated = rotatedEventsOn(nodes.get(0));
    Map<Long, Set<String>> accessTokensByVersion = new ConcurrentHashMap<>();
    nodes.get(0).store().listen(new TokenStore.Listener() {
      @Override
      public void updated(Token token) {
        accessTokensByVersion.computeIfAbsent(token.version(), v -> ConcurrentHashMap.newKeySet()).add(token.accessToken().reveal());
      }

      @Override
      public void removed(TokenKey key) {}
    });

    nodes.get(1).request(Addresses.get("esignglobal"), null);

    Await.until("version 6 on every node, no rotation in flight", Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> {
      Token t = n.store().cached(KEY);
      return t != null && t.version() == 6 && !n.service().isRotating(KEY);
    }));
    Await.until("six token.rotated events", Duration.ofSeconds(10), () -> rotated.size() >= 6);

    assertEquals(6, provider.calls(PATH), "one provider call per version");
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), rotated.stream().map(e -> e.getLong("version")).toList(),
        "each version announced once");
    assertEquals(List.of("on_demand", "scheduled", "scheduled", "scheduled", "scheduled", "scheduled"),
        rotated.stream().map(e -> e.getString("reason")).toList());
    List<String> issued = provider.exchanges(PATH).stream()
        .map(e -> new JsonObject(e.getResponse().getBodyAsString()).getString("access_token")).toList();
    Map<Long, Set<String>> stored = new TreeMap<>(accessTokensByVersion);
    assertEquals(LongStream.rangeClosed(1, 6).boxed().toList(), List.copyOf(stored.keySet()));
    stored.forEach((version, tokens) -> assertEquals(1, tokens.size(), "version " + version + " stored as " + tokens));
    assertEquals(issued, stored.values().stream().map(tokens -> tokens.iterator().next()).toList(),
        "every access token the provider issued is stored as exactly one version, in order");
  }

  /**
   * 30 s tokens: the renewal is due at 20 s (skew capped at a third of the lifetime), 10 s before
   * the old token expires - a margin a loaded machine does not eat, unlike the few seconds of a
   * short token.
   */
  @Test
  void whenTheOwnerDiesASurvivorRenewsBeforeExpiryWithoutAnyRequest() {
    stubTokens(30, 0);
    startCluster();
    Token first = Await.result(nodes.get(0).service().get(KEY, 0, null));
    BrokerNode owner = owner();
    List<BrokerNode> survivors = nodes.stream().filter(n -> n != owner).toList();
    Set<String> survivorClientIds = survivors.stream().map(this::clientId).collect(Collectors.toSet());
    List<JsonObject> rotated = rotatedEventsOn(survivors.get(0));
    Await.until("survivors' local copies", Duration.ofSeconds(10),
        () -> survivors.stream().allMatch(n -> n.store().cached(KEY) != null));

    Instant killedAt = Instant.now();
    broker.kill(owner);

    Await.until("a survivor's renewal", Duration.ofSeconds(60),
        () -> survivors.get(0).store().cached(KEY).version() > first.version());
    Token renewed = survivors.get(0).store().cached(KEY);
    List<LoggedRequest> calls = provider.requests(PATH);
    Instant renewalCall = calls.get(1).getLoggedDate().toInstant();
    System.out.printf("[cluster] owner killed %s, survivor renewed %d ms later; old token expired at %s (%d ms after the kill)%n",
        killedAt, Duration.between(killedAt, renewalCall).toMillis(), first.expiresAt(),
        Duration.between(killedAt, first.expiresAt()).toMillis());
    assertEquals(first.version() + 1, renewed.version());
    assertEquals(2, calls.size(), "the first token and one renewal");
    assertTrue(survivorClientIds.contains(clientIdOf(calls.get(1))), "renewed by " + clientIdOf(calls.get(1))
        + ", the survivors are " + survivorClientIds);
    assertTrue(renewalCall.isBefore(first.expiresAt()), "renewed at " + renewalCall + ", expiry " + first.expiresAt());
    assertTrue(renewed.issuedAt().isBefore(first.expiresAt()), "renewed at " + renewed.issuedAt() + ", expiry " + first.expiresAt());
    Await.until("the token.rotated event of the renewal", Duration.ofSeconds(10),
        () -> rotated.stream().anyMatch(e -> e.getLong("version") == renewed.version()));
    assertEquals(List.of("scheduled"), rotated.stream().filter(e -> e.getLong("version") == renewed.version())
        .map(e -> e.getString("reason")).toList(), "a timer renewed it, not a request");
  }

  @Test
  void aForcedRefreshOnANonOwnerIsOneCallAndOneEventPerSubscriber() {
    stubTokens(86398, 0);
    startCluster();
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

    Token forced = Await.result(other.service().refresh(KEY, RotationReason.FORCED));

    assertEquals(2L, forced.version());
    Await.until("every subscriber saw the rotation", Duration.ofSeconds(10),
        () -> seen.values().stream().allMatch(c -> c.get() >= 1));
    assertEquals(before + 1, provider.calls(PATH));
    assertEquals(clientId(other), clientIdOf(provider.requests(PATH).get(before)), "the non-owner made the call");
    Await.until("owner's copy at v2", Duration.ofSeconds(10), () -> owner.store().cached(KEY).version() == 2);
    seen.values().forEach(c -> assertEquals(1, c.get()));
  }
}
