package dev.tokenbroker.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a broker test runs against, started through one object and always stopped after the test:
 * the provider double (WireMock on a loopback port), broker nodes (one, or a Hazelcast cluster in
 * this JVM under a name of its own), other Vert.x instances, and the clients the test opens
 * through it.
 *
 * <pre>
 * &#64;RegisterExtension final BrokerExtension broker = new BrokerExtension();
 * private final ProviderDouble provider = broker.provider(); // started before each test
 *
 * &#64;BeforeEach
 * void start() {
 *   provider.stub(...);
 *   node = broker.start(TestConfigs.broker(...), clock);
 *   http = broker.http(node);
 * }
 * </pre>
 *
 * <p>After each test, whatever happened, in this order:
 * <ol>
 *   <li>the clients, newest first. Held here, a client is never reached by the garbage
 *       collector: Vert.x gives a collected HTTP client a graceful shutdown of up to 30 s, which
 *       waits for an open event stream to end, and closing the Vert.x instance waits for that
 *       shutdown before it undeploys the broker whose stop would end the stream;
 *   <li>the nodes and other Vert.x instances, newest first;
 *   <li>the other resources (webhook receivers, other servers), newest first;
 *   <li>the provider double.
 * </ol>
 * Each step has a deadline. One that misses it or fails fails the test, naming what it was closing
 * (a missed deadline also writes the threads into target/test.log), and the steps after it still
 * run.
 */
public final class BrokerExtension implements BeforeEachCallback, AfterEachCallback {
  private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(10);
  private static final Duration RESOURCE_DEADLINE = Duration.ofSeconds(30);

  private final ProviderDouble provider;
  /** The closes to run after the test, each bounded; newest first within a phase. */
  private final Deque<Runnable> clients = new ArrayDeque<>();
  private final Deque<Runnable> nodes = new ArrayDeque<>();
  private final Deque<Runnable> resources = new ArrayDeque<>();
  private final List<Vertx> killed = new ArrayList<>();
  private String clusterName;
  private int nodesStarted;
  private int vertxStarted;

  /** With a provider double, started before each test. */
  public BrokerExtension() {
    this(true);
  }

  private BrokerExtension(boolean withProvider) {
    this.provider = withProvider ? ProviderDouble.notStarted() : null;
  }

  /** For tests whose provider is something else (another server, the sandbox, none). */
  public static BrokerExtension withoutProvider() {
    return new BrokerExtension(false);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (provider != null) {
      provider.begin();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<Throwable> failures = new ArrayList<>();
    for (Deque<Runnable> phase : List.of(clients, nodes, resources)) {
      while (!phase.isEmpty()) {
        try {
          phase.pop().run();
        } catch (Throwable t) {
          failures.add(t);
        }
      }
    }
    if (provider != null) {
      try {
        BoundedClose.run("the provider double", RESOURCE_DEADLINE, provider::close);
      } catch (Throwable t) {
        failures.add(t);
      }
    }
    if (!failures.isEmpty()) {
      AssertionError error = new AssertionError(failures.size() + " thing(s) the test started did not stop: "
          + failures.stream().map(Throwable::getMessage).toList(), failures.get(0));
      failures.stream().skip(1).forEach(error::addSuppressed);
      throw error;
    }
  }

  /** The provider double (started before each test, stopped after it). */
  public ProviderDouble provider() {
    if (provider == null) {
      throw new IllegalStateException("this BrokerExtension was made withoutProvider()");
    }
    return provider;
  }

  // ---- nodes

  /** A node on a new Vert.x instance, with the system clock. */
  public BrokerNode start(JsonObject config) {
    return start(config, Clock.systemUTC());
  }

  /** A node on a new Vert.x instance. */
  public BrokerNode start(JsonObject config, Clock clock) {
    return start(Vertx.vertx(), config, clock);
  }

  /** A node on {@code vertx}, which is closed with it (after the test, or before by {@link BrokerNode#close()}). */
  public BrokerNode start(Vertx vertx, JsonObject config, Clock clock) {
    String what = "broker node " + (++nodesStarted) + (vertx.isClustered() ? " of cluster " + clusterName : "");
    // registered before the deployment: a node that fails to start is closed all the same
    nodes.push(() -> closeNode(what, vertx));
    return BrokerNode.start(vertx, config, clock);
  }

  /** {@code count} nodes in a new cluster, node i with {@code config.apply(i)} and the system clock. */
  public List<BrokerNode> startCluster(int count, IntFunction<JsonObject> config) {
    return startCluster(count, 1, config);
  }

  /** {@code count} nodes in a new cluster whose Hazelcast members are set up for {@code cluster.min-members: minMembers}. */
  public List<BrokerNode> startCluster(int count, int minMembers, IntFunction<JsonObject> config) {
    List<Vertx> members = clusterMembers(count, minMembers);
    List<BrokerNode> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(start(members.get(i), config.apply(i), Clock.systemUTC()));
    }
    return out;
  }

  /**
   * {@code count} clustered Vert.x instances (no broker on them) in this test's cluster, all joined;
   * closed after the test.
   */
  public List<Vertx> clusterMembers(int count, int minMembers) {
    List<Vertx> members = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      members.add(vertx(ClusterSupport.member(clusterName(), count, minMembers)));
    }
    ClusterSupport.awaitMembers(members, count);
    return members;
  }

  /** One more clustered Vert.x instance in this test's cluster, once the cluster has {@code members} members; closed after the test. */
  public Vertx joinCluster(int members) {
    return newMember(members, 1);
  }

  /** A node on one more member of this test's cluster, started once the cluster has {@code members} members. */
  public BrokerNode joinCluster(int members, JsonObject config) {
    return joinCluster(members, 1, config);
  }

  /** The same, the new member set up for {@code cluster.min-members: minMembers}. */
  public BrokerNode joinCluster(int members, int minMembers, JsonObject config) {
    return start(newMember(members, minMembers), config, Clock.systemUTC());
  }

  private Vertx newMember(int members, int minMembers) {
    Vertx member = vertx(ClusterSupport.member(clusterName(), members, minMembers));
    ClusterSupport.awaitMembers(List.of(member), members);
    return member;
  }

  /** The name of this test's cluster (unique). */
  public String clusterName() {
    if (clusterName == null) {
      clusterName = ClusterSupport.uniqueName();
    }
    return clusterName;
  }

  /**
   * Terminates the node's Hazelcast member, as a crash would. The node's Vert.x instance is still
   * closed after the test, but a failure to close it cleanly does not fail the test.
   */
  public void kill(BrokerNode node) {
    killed.add(node.vertx);
    ClusterSupport.hazelcast(node.vertx).getLifecycleService().terminate();
  }

  private void closeNode(String what, Vertx vertx) {
    try {
      BoundedClose.await(what, BrokerNode.CLOSE_DEADLINE, vertx.close());
    } catch (AssertionError | RuntimeException e) {
      if (!killed.contains(vertx)) {
        throw e;
      }
      BoundedClose.logFailure("closing killed " + what, e);
    }
  }

  // ---- other Vert.x instances and resources

  /** A new Vert.x instance, closed after the test with the nodes. */
  public Vertx vertx() {
    return vertx(Vertx.vertx());
  }

  /** Closes {@code vertx} after the test, with the nodes. */
  public Vertx vertx(Vertx vertx) {
    String what = "Vert.x instance " + (++vertxStarted) + (vertx.isClustered() ? " of cluster " + clusterName : "");
    nodes.push(() -> BoundedClose.await(what, RESOURCE_DEADLINE, vertx.close()));
    return vertx;
  }

  /** Closes {@code resource} after the test, once the nodes have stopped (a webhook receiver, another server). */
  public <T extends AutoCloseable> T resource(T resource) {
    closeAfterNodes(resource.getClass().getSimpleName(), resource::close);
    return resource;
  }

  /** Runs {@code close} after the test, once the nodes have stopped. */
  public void closeAfterNodes(String what, BoundedClose.Action close) {
    resources.push(() -> BoundedClose.run(what, RESOURCE_DEADLINE, close));
  }

  // ---- clients: closed before the nodes

  /** Closes {@code client} after the test, before the nodes stop. */
  public <T extends AutoCloseable> T client(T client) {
    String what = "client " + client.getClass().getSimpleName();
    clients.push(() -> BoundedClose.run(what, CLIENT_DEADLINE, client::close));
    return client;
  }

  /** Runs {@code close} after the test, before the nodes stop (for a client whose close is not {@link AutoCloseable}). */
  public void closeBeforeNodes(String what, BoundedClose.Action close) {
    clients.push(() -> BoundedClose.run(what, CLIENT_DEADLINE, close));
  }

  /** An HTTP client for {@code node} that sends the test API key. */
  public Http http(BrokerNode node) {
    return client(new Http(node));
  }

  /** {@code node}'s event stream as {@code apiKey} sees it, open (its opening comment received). */
  public SseStream events(BrokerNode node, String apiKey) {
    return client(SseStream.open(node, apiKey));
  }

  /** A client of {@code node}'s SockJS event-bus bridge. */
  public SockJs sockJs(BrokerNode node) {
    return client(SockJs.connect(node));
  }

  /** A Vert.x HTTP client on {@code vertx}. */
  public HttpClient httpClient(Vertx vertx) {
    return httpClient(vertx, new HttpClientOptions(), new PoolOptions());
  }

  /** A Vert.x HTTP client on {@code vertx} with {@code options}. */
  public HttpClient httpClient(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
    HttpClient client = vertx.createHttpClient(options, pool);
    closeBeforeNodes("an HTTP client", () -> Await.result(client.close(), CLIENT_DEADLINE));
    return client;
  }

  /** A Web Client on {@code vertx}. */
  public WebClient webClient(Vertx vertx) {
    return webClient(vertx, new WebClientOptions());
  }

  /** A Web Client on {@code vertx} with {@code options}. */
  public WebClient webClient(Vertx vertx, WebClientOptions options) {
    WebClient client = WebClient.create(vertx, options);
    closeBeforeNodes("a Web Client", client::close);
    return client;
  }
}
