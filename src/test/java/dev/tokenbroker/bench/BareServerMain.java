package dev.tokenbroker.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A bare Vert.x HTTP server in a process of its own, for the benchmarks' baselines and upstreams:
 * {@code instances} verticles on {@code 127.0.0.1:port} answering every request with
 * {@code body} as JSON. Arguments: port, instances, body. Prints {@code listening} once it is.
 */
public final class BareServerMain {
  private BareServerMain() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int instances = Integer.parseInt(args[1]);
    Buffer body = Buffer.buffer(args[2]);
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer()
            .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(body))
            .listen(port, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("listening"))
        .onFailure(t -> {
          t.printStackTrace();
          System.exit(1);
        });
  }
}
