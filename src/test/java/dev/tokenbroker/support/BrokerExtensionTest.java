package dev.tokenbroker.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What BrokerExtension promises the tests that use it (driven by hand here, outside JUnit's lifecycle). */
class BrokerExtensionTest {

  @Test
  void stopsEverythingItStartedPromptlyThoughTheTestLeftAnEventStreamOpen() {
    BrokerExtension broker = new BrokerExtension();
    broker.beforeEach(null);
    BrokerNode node = broker.start(TestConfigs.broker(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal(broker.provider().baseUrl()))));
    int port = node.httpPort();
    broker.events(node, TestConfigs.API_KEY); // never closed by the test
    broker.http(node).get("/health");

    long started = System.nanoTime();
    broker.afterEach(null);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "stopped in " + took.toMillis() + " ms");
    assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close(), "the node's HTTP port is closed");
    assertFalse(broker.provider().server.isRunning(), "the provider double is stopped");
  }
}
