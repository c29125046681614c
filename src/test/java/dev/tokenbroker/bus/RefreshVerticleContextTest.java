package dev.tokenbroker.bus;

import dev.tokenbroker.wire.Addresses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The refresh verticle's timers change only on its own context, even when a renewal joins a
 * rotation that another verticle started and that therefore completes on that verticle's context.
 */
class RefreshVerticleContextTest {
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private final Vertx providerVertx = broker.vertx();
  private BrokerNode node;

  @Test
  void aRenewalThatJoinsAnotherVerticlesRotationChangesTimersOnlyOnTheRefreshVerticlesContext() {
    // the provider: a 3 s token first, then holds the second call until the test lets it answer
    AtomicInteger calls = new AtomicInteger();
    Promise<Void> releaseSecondCall = Promise.promise();
    HttpServer fake = Await.result(providerVertx.createHttpServer().requestHandler(request -> {
      int call = calls.incrementAndGet();
      request.body().compose(body -> call == 2 ? releaseSecondCall.future() : Future.succeededFuture())
          .onComplete(ar -> request.response().putHeader("Content-Type", "application/json")
              .end(TestConfigs.tokenJson("t" + call, call == 1 ? 3 : 3600)));
    }).listen(0, "127.0.0.1"));
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal",
        TestConfigs.esignglobal("http://127.0.0.1:" + fake.actualPort()).put("timeout-seconds", 60)));
    config.getJsonObject("refresh").put("min-validity-seconds", 0);
    node = broker.start(config);
    RefreshVerticle refresher = node.broker.refresher();

    node.request(Addresses.get("esignglobal"), null);
    Await.until("the renewal timer of v1 (due in 2 s)", Duration.ofSeconds(10), () -> refresher.isScheduled(KEY));
    // a forced rotation, started by the token verticle, is in flight (held by the provider) ...
    Future<Message<JsonObject>> forced = node.vertx.eventBus().request(Addresses.refresh("esignglobal"), null,
        new DeliveryOptions().setSendTimeout(120_000));
    Await.until("the forced rotation's provider call", Duration.ofSeconds(10), () -> calls.get() == 2);
    // ... when the timer fires: its renewal joins that rotation instead of calling the provider
    Await.until("the renewal timer to fire", Duration.ofSeconds(30), () -> !refresher.isScheduled(KEY));
    assertTrue(node.service().isRotating(KEY), "the forced rotation is still in flight");

    releaseSecondCall.complete();

    assertEquals(2L, Await.result(forced).body().getLong("version"));
    Await.until("the timer of v2", Duration.ofSeconds(10), () -> refresher.isScheduled(KEY));
    assertEquals(2, calls.get(), "the renewal joined the forced rotation");
    assertEquals(0, refresher.offContextChanges(), "timers changed off the refresh verticle's context");
  }
}
