package dev.tokenbroker;

import dev.tokenbroker.cluster.ClusterSetup;
import dev.tokenbroker.cluster.EventBusSecurity;
import dev.tokenbroker.config.ClusterConfig;
import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.config.ConfigException;
import dev.tokenbroker.config.ConfigLoader;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Entry point of the jar: the Vert.x launcher ({@code -conf}, {@code -cluster}, {@code -options}
 * and the rest work as usual) with two additions the stock launcher lacks. {@code -conf} may
 * name a YAML file: it is read with Vert.x Config (file, environment, system properties) and
 * validated before Vert.x starts, so bad configuration stops the process with one line naming
 * the key. With {@code -cluster}, Hazelcast is configured from {@code -Dvertx.hazelcast.config},
 * else {@code ./cluster.xml}, else the copy in the jar; the file used is printed. The broker's own
 * needs ({@link ClusterSetup}: merge policy, merge delays, split-brain protection for
 * {@code cluster.min-members}) are added to that configuration before Hazelcast starts.
 */
public final class Main {
  static final int EXIT_BAD_CONFIG = 2;
  /** The launcher's logger, held so that the level set on it after a failed start is not collected away. */
  private static final java.util.logging.Logger LAUNCHER_LOG =
      java.util.logging.Logger.getLogger("io.vertx.launcher.application.VertxApplication");
  private static volatile boolean startFailed;
  private static final String DEFAULT_CONF = "conf/config.yaml";

  private Main() {}

  public static void main(String[] args) {
    List<String> argv = new ArrayList<>(List.of(args));
    boolean clustered = argv.stream().anyMatch(a -> a.equals("-cluster") || a.equals("--cluster") || a.equals("-c"));
    int confIndex = indexOfOption(argv);
    String confPath = confIndex >= 0 && confIndex + 1 < argv.size() ? argv.get(confIndex + 1) : null;
    if (confIndex < 0 && new File(DEFAULT_CONF).isFile()) {
      confPath = DEFAULT_CONF;
    }
    if (confPath == null) {
      fail("-conf: give the configuration file, e.g. -conf conf/config.yaml");
    }
    JsonObject config = loadAndValidate(confPath);
    if (confIndex >= 0) {
      argv.set(confIndex + 1, config.encode());
    } else {
      argv.add("-conf");
      argv.add(config.encode());
    }
    BrokerConfig parsed = BrokerConfig.parse(config);
    requireFreePort("http.port", parsed.http().host(), parsed.http().port());
    parsed.sandbox().ifPresent(sandbox -> requireFreePort("sandbox.port", sandbox.host(), sandbox.port()));
    ClusterConfig clusterConfig = parsed.cluster();
    ClusterManager clusterManager = null;
    if (clustered) {
      try {
        clusterConfig.box(); // -cluster without TOKEN_BROKER_CLUSTER_KEY stops here, naming it
        clusterManager = ClusterSetup.clusterManager(clusterConfig.minMembers());
      } catch (ConfigException | IllegalArgumentException e) {
        fail(e.getMessage());
      }
    }
    ClusterManager cluster = clusterManager;

    VertxApplicationHooks hooks = new VertxApplicationHooks() {
      @Override
      public VertxBuilder createVertxBuilder(VertxOptions options) {
        if (cluster != null) {
          EventBusSecurity.apply(options.getEventBusOptions(), clusterConfig.eventBusTls());
        }
        VertxBuilder builder = vertxBuilder(options);
        return cluster == null ? builder : builder.withClusterManager(cluster);
      }

      @Override
      public Supplier<? extends Deployable> verticleSupplier() {
        return BrokerVerticle::new;
      }

      /**
       * The broker could not start (a durable store that does not answer, TLS files that cannot be
       * read, ...): one line saying why and exit code 2, as for configuration errors, instead of the
       * launcher's stack trace and exit code 15. Called on the main thread before the launcher
       * reports the failure itself (whose report, with the stack trace, stays when the cause is
       * unexpected); the launcher then closes Vert.x and returns as usual.
       */
      @Override
      public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
        startFailed = true;
        System.err.println("token-broker: could not start: " + StartupFailure.describe(failure));
        if (StartupFailure.isExpected(failure)) {
          LAUNCHER_LOG.setLevel(java.util.logging.Level.OFF); // its report would repeat the line with a stack trace
        }
      }
    };
    // java.util.logging closes its handlers in its own shutdown hook, so a log line from the
    // verticle's stop() is lost on SIGTERM / Ctrl-C: say it on stdout instead.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!startFailed) {
        System.out.println("token-broker: stopping (signal received): rotations in progress finish, then the process exits");
      }
    }, "stop-notice"));
    // exitOnFailure false: the launcher returns its exit code instead of exiting, so that a failed start exits with 2
    int code = new VertxApplication(argv.toArray(new String[0]), hooks, true, false) { }.launch();
    if (code != 0) {
      System.exit(startFailed ? EXIT_BAD_CONFIG : code);
    }
  }

  /**
   * The Vert.x the broker runs on: Micrometer metrics with a Prometheus registry. Benchmarks build
   * theirs with it too, so that they measure what users run.
   */
  public static VertxBuilder vertxBuilder(VertxOptions options) {
    // the broker meters its HTTP requests, proxy and token-endpoint calls itself, at a fraction
    // of the cost of Vert.x's per-request HTTP meters (see BrokerMetrics#httpRequest)
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setDisabledMetricsCategories(Set.of(MetricsDomain.HTTP_SERVER.toCategory(), MetricsDomain.HTTP_CLIENT.toCategory())));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory());
  }

  private static int indexOfOption(List<String> argv) {
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).equals("-conf") || argv.get(i).equals("--conf")) {
        return i;
      }
    }
    return -1;
  }

  /** Reads the file with Vert.x Config on a short-lived Vert.x and validates it. */
  static JsonObject loadAndValidate(String path) {
    if (path.trim().startsWith("{")) {
      return validate(new JsonObject(path));
    }
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject raw = ConfigLoader.load(vertx, path, System.getenv())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return validate(raw);
    } catch (java.util.concurrent.ExecutionException e) {
      fail(e.getCause() instanceof ConfigException ce ? ce.getMessage() : path + ": " + e.getCause().getMessage());
      return null;
    } catch (Exception e) {
      fail(path + ": " + e.getMessage());
      return null;
    } finally {
      vertx.close();
    }
  }

  private static JsonObject validate(JsonObject raw) {
    try {
      BrokerConfig.parse(raw);
      return raw;
    } catch (ConfigException e) {
      fail(e.getMessage());
      return null;
    }
  }

  /**
   * A port another process holds stops start-up with one line naming it and the key that sets it
   * (exit 2), not with the launcher's 21-line BindException and exit 15. Checked by binding the
   * address once and releasing it; a port taken in the instant after still fails as before.
   */
  private static void requireFreePort(String key, String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (BindException e) {
      System.err.println("token-broker: cannot start: " + key + ": " + host + ":" + port
          + " is already in use (is a broker or the demo still running?); stop it or set " + key + " (e.g. -D" + key + "="
          + (port + 1) + ")");
      System.exit(EXIT_BAD_CONFIG);
    } catch (IOException | IllegalArgumentException | SecurityException e) {
      // not a busy port (e.g. an unresolvable host): the server's own start reports it
    }
  }

  private static void fail(String line) {
    System.err.println("token-broker: invalid configuration: " + line);
    System.exit(EXIT_BAD_CONFIG);
  }
}
