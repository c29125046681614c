package dev.tokenbroker.support;

import dev.tokenbroker.BrokerVerticle;
import dev.tokenbroker.service.AccountLifecycle;
import dev.tokenbroker.service.ProviderCatalog;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * One broker node deployed on a Vert.x instance, with helpers to call it. Tests start nodes
 * through {@link BrokerExtension}, which closes them after the test.
 */
public final class BrokerNode implements AutoCloseable {
  /** How long a node may take to stop: its HTTP server's grace (10 s), rotations in flight, leaving a cluster. */
  public static final Duration CLOSE_DEADLINE = Duration.ofSeconds(30);

  public final Vertx vertx;
  public final BrokerVerticle broker;

  private BrokerNode(Vertx vertx, BrokerVerticle broker) {
    this.vertx = vertx;
    this.broker = broker;
  }

  public static BrokerNode start(Vertx vertx, JsonObject config, Clock clock) {
    BrokerVerticle broker = new BrokerVerticle(clock, new Random(42));
    Await.result(vertx.deployVerticle(broker, new DeploymentOptions().setConfig(config)));
    return new BrokerNode(vertx, broker);
  }

  public static BrokerNode start(JsonObject config) {
    return start(Vertx.vertx(), config, Clock.systemUTC());
  }

  public TokenService service() {
    return broker.service();
  }

  public AccountLifecycle accounts() {
    return broker.services().accounts();
  }

  public ProviderCatalog providers() {
    return broker.services().providers();
  }

  public TokenStore store() {
    return broker.store();
  }

  public TokenPolicy policy() {
    return broker.policy();
  }

  public int httpPort() {
    return broker.httpPort();
  }

  /** Sends a request on the bus and waits for the reply body. */
  public JsonObject request(String address, Object body) {
    return Await.result(vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(10_000)))
        .body();
  }

  /** Sends a request that must fail; returns the ReplyException. */
  public ReplyException requestFailure(String address, Object body) {
    Throwable t = Await.failure(vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(10_000)));
    if (!(t instanceof ReplyException re)) {
      throw new AssertionError("expected a ReplyException, got " + t);
    }
    return re;
  }

  /** Closes every node (a cluster's nodes, one after another). */
  public static void closeAll(List<BrokerNode> nodes) {
    for (BrokerNode node : nodes) {
      node.close();
    }
  }

  /**
   * Stops the node (its Vert.x instance); again is a no-op. Fails, naming the node, if that takes
   * longer than {@link #CLOSE_DEADLINE}, rather than hang: an event-stream client on the node's
   * Vert.x that the garbage collector reached first holds the close for up to 30 s (see
   * {@link BrokerExtension}, which holds the clients and closes them first).
   */
  @Override
  public void close() {
    close(CLOSE_DEADLINE);
  }

  /** {@link #close()} for a node that is known to take longer (it lets a held provider call run to its deadline). */
  public void close(Duration deadline) {
    BoundedClose.await(toString(), deadline, vertx.close());
  }

  @Override
  public String toString() {
    return "broker node" + (httpPort() > 0 ? " on HTTP port " + httpPort() : "") + (vertx.isClustered() ? " (clustered)" : "");
  }
}
