package dev.tokenbroker.cluster;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.config.ClusterConfig;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code cluster.eventbus-tls}: members with a certificate the cluster trusts use the event bus;
 * a member without one, or with a certificate from elsewhere, can neither ask for tokens nor
 * receive the broker's events.
 */
class EventBusTlsTest {
  private static final SelfSignedCertificate CLUSTER_CERT = SelfSignedCertificate.create("token-broker-node");
  private static final SelfSignedCertificate OTHER_CERT = SelfSignedCertificate.create("someone-else");
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;

  @BeforeEach
  void start() {
    provider.stub(post(urlPathEqualTo(ProviderDouble.ESIGNGLOBAL_PATH)).willReturn(okJson(TestConfigs.tokenJson("t-1", 86398))));
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal(provider.baseUrl())));
    config.getJsonObject("cluster").put("eventbus-tls", new JsonObject().put("cert-path", CLUSTER_CERT.certificatePath())
        .put("key-path", CLUSTER_CERT.privateKeyPath()).put("trust-path", CLUSTER_CERT.certificatePath()));
    node = broker.start(member(tls(CLUSTER_CERT), 1), config, Clock.systemUTC());
  }

  private static ClusterConfig.EventBusTls tls(SelfSignedCertificate cert) {
    return new ClusterConfig.EventBusTls(cert.certificatePath(), cert.privateKeyPath(), cert.certificatePath());
  }

  /** A clustered Vert.x whose event bus uses {@code tls} (null: plain TCP). */
  private Vertx member(ClusterConfig.EventBusTls tls, int index) {
    EventBusOptions bus = EventBusSecurity.apply(new EventBusOptions().setHost("127.0.0.1"), tls);
    Vertx vertx = Await.result(Vertx.builder().with(new VertxOptions().setEventBusOptions(bus))
        .withClusterManager(new HazelcastClusterManager(ClusterSupport.hazelcastConfig(broker.clusterName(), 4))).buildClustered(),
        Duration.ofSeconds(60));
    // the first one is the broker's, closed with it
    return index > 1 ? broker.vertx(vertx) : vertx;
  }

  private static boolean answers(Vertx caller) {
    return caller.eventBus().<JsonObject>request(Addresses.get("esignglobal"), null, new DeliveryOptions().setSendTimeout(3000))
        .toCompletionStage().toCompletableFuture().handle((m, t) -> t == null && "t-1".equals(m.body().getString("access_token")))
        .join();
  }

  private static AtomicInteger countRotations(Vertx vertx) {
    AtomicInteger seen = new AtomicInteger();
    Await.result(vertx.eventBus().consumer(Addresses.ROTATED, m -> seen.incrementAndGet()).completion());
    return seen;
  }

  @Test
  void onlyMembersWithTheClustersCertificateAskForTokensAndHearEvents() {
    Vertx trusted = member(tls(CLUSTER_CERT), 2);
    Vertx plain = member(null, 3);
    Vertx foreign = member(tls(OTHER_CERT), 4);
    AtomicInteger trustedSeen = countRotations(trusted);
    AtomicInteger plainSeen = countRotations(plain);
    AtomicInteger foreignSeen = countRotations(foreign);

    assertTrue(answers(trusted), "a member with the cluster's certificate gets tokens");
    assertEquals(false, answers(plain), "a member without a certificate gets nothing");
    assertEquals(false, answers(foreign), "a member with another CA's certificate gets nothing");
    node.request(Addresses.refresh("esignglobal"), null);
    Await.until("the trusted member heard the rotation", Duration.ofSeconds(10), () -> trustedSeen.get() >= 2);

    assertEquals(0, plainSeen.get());
    assertEquals(0, foreignSeen.get());
    assertEquals(2, provider.calls(ProviderDouble.ESIGNGLOBAL_PATH), "the refused requests made no provider call");
  }
}
