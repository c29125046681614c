package dev.tokenbroker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.config.WebhookConfig;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.WebhookReceiver;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retries with backoff, bounded attempts, and the signature over what was sent, against a real receiver. */
class WebhookDispatcherTest {
  private static final String SECRET = "whsec-test-0123456789";
  private static final long BACKOFF_MS = 200;
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private final Vertx vertx = broker.vertx();
  private WebhookReceiver receiver;
  private WebhookDispatcher dispatcher;

  private void start(Integer... statuses) {
    receiver = broker.resource(new WebhookReceiver(Map.of("/hook", SECRET)).answering(statuses));
    dispatcher = new WebhookDispatcher(vertx, Clock.systemUTC(), List.of(new WebhookConfig(receiver.url("/hook"),
        Set.of("account.disconnected"), "HOOK_SECRET", Secret.of(SECRET))), BACKOFF_MS);
    broker.closeBeforeNodes("the webhook dispatcher", () -> Await.result(dispatcher.close()));
  }

  @Test
  void aReceiverAnswering500IsRetriedWithAGrowingBackoffUntilItAccepts() {
    start(500, 500);

    dispatcher.disconnected(new TokenKey("p", "acme"), true);

    Await.until("the third attempt is accepted", Duration.ofSeconds(10), () -> dispatcher.pending() == 0 && receiver.received.size() == 3);
    List<WebhookReceiver.Received> got = receiver.received;
    assertTrue(got.stream().allMatch(WebhookReceiver.Received::verified), "every attempt is signed");
    assertEquals(1, got.stream().map(r -> r.json().getString("id")).distinct().count(), "the same delivery each time");
    assertEquals("account.disconnected", got.get(0).json().getString("event"));
    assertEquals(true, got.get(0).json().getBoolean("revoked"));
    long first = Duration.between(got.get(0).at(), got.get(1).at()).toMillis();
    long second = Duration.between(got.get(1).at(), got.get(2).at()).toMillis();
    assertTrue(first >= BACKOFF_MS - 20, "first retry after " + first + " ms");
    assertTrue(second >= 2 * BACKOFF_MS - 20, "second retry after " + second + " ms, twice the first wait");
  }

  @Test
  void deliveryGivesUpAfterFiveAttempts() {
    start(500, 500, 500, 500, 500, 500, 500);

    dispatcher.disconnected(new TokenKey("p", "acme"), false);

    Await.until("the delivery is given up", Duration.ofSeconds(15), () -> receiver.received.size() >= 5 && dispatcher.pending() == 0);
    assertEquals(WebhookDispatcher.MAX_ATTEMPTS, receiver.received.size());
  }

  @Test
  void eventsAWebhookDoesNotSubscribeToAreNotSent() {
    start();

    dispatcher.expiring(new TokenKey("p", "acme"), java.time.Instant.now());
    dispatcher.disconnected(new TokenKey("p", "acme"), false);

    Await.until("the subscribed event", Duration.ofSeconds(10), () -> receiver.received.size() == 1 && dispatcher.pending() == 0);
    assertEquals("account.disconnected", receiver.received.get(0).event());
  }
}
