package dev.tokenbroker.store;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.support.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link DetachedContext} is an event-loop context of no deployment, and what a verticle creates
 * on it outlives the verticle's undeployment, while what it creates on its own context does not.
 */
class DetachedContextTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void itIsANewEventLoopContextOfNoDeployment() {
    Context detached = DetachedContext.create(vertx);

    assertTrue(detached.isEventLoopContext());
    assertNull(detached.deploymentID());
    assertNotSame(detached, DetachedContext.create(vertx));
  }

  /** Starts one server on its own context and one on a detached context. */
  private static final class Creator extends VerticleBase {
    int ownPort;
    int detachedPort;

    @Override
    public Future<?> start() {
      Future<NetServer> own = vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1");
      Promise<NetServer> detached = Promise.promise();
      DetachedContext.create(vertx).runOnContext(v ->
          vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1").onComplete(detached));
      return Future.all(own, detached.future()).onSuccess(both -> {
        ownPort = own.result().actualPort();
        detachedPort = detached.future().result().actualPort();
      });
    }
  }

  @Test
  void whatIsCreatedOnItOutlivesTheVerticleThatCreatedIt() throws IOException {
    Creator creator = new Creator();
    String id = Await.result(vertx.deployVerticle(creator));

    Await.result(vertx.undeploy(id));

    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", creator.ownPort).close(),
        "the server on the verticle's own context closed with it");
    new Socket("127.0.0.1", creator.detachedPort).close(); // still listening
  }
}
