package dev.tokenbroker.client.example;

import dev.tokenbroker.BrokerVerticle;
import dev.tokenbroker.config.ConfigLoader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;

/**
 * Runs the demo broker ({@code conf/demo.yaml}) and {@link SandboxApiVerticle} in one Vert.x
 * instance, so they share an event bus:
 * {@code java -cp target/token-broker.jar dev.tokenbroker.client.example.RunExample}. Ctrl-C stops.
 * (In production the service verticle runs in its own process, in the brokers' Vert.x cluster.)
 */
public final class RunExample {
  private RunExample() {}

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    String conf = args.length > 0 ? args[0] : "conf/demo.yaml";
    ConfigLoader.load(vertx, conf, System.getenv())
        .compose(config -> vertx.deployVerticle(new BrokerVerticle(), new DeploymentOptions().setConfig(config)))
        .compose(id -> vertx.deployVerticle(new SandboxApiVerticle()))
        .onFailure(e -> {
          System.err.println("example: " + e.getMessage());
          vertx.close().onComplete(ignored -> System.exit(1));
        });
  }
}
