package dev.tokenbroker.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of a node's {@code /v1/events} stream with one API key, collecting what arrives. Open it
 * with {@link BrokerExtension#events}, which closes it before the node: a stream left open holds
 * the node's close.
 */
public final class SseStream implements AutoCloseable {
  private final StringBuffer text = new StringBuffer();
  private final HttpClient client;

  private SseStream(HttpClient client) {
    this.client = client;
  }

  /** Opens the stream and waits for its opening comment (its consumers are registered from then on). */
  public static SseStream open(BrokerNode node, String apiKey) {
    SseStream stream = new SseStream(node.vertx.createHttpClient());
    int status = Await.result(stream.client.request(new RequestOptions().setPort(node.httpPort()).setHost("127.0.0.1")
        .setURI("/v1/events").putHeader("Authorization", "Bearer " + apiKey)).compose(r -> r.send())
        .map(r -> r.handler(chunk -> stream.text.append(chunk.toString())))).statusCode();
    assertEquals(200, status);
    Await.until("the stream to open", Duration.ofSeconds(10), () -> stream.text.toString().contains("token-broker events"));
    return stream;
  }

  /** The data of the complete events named {@code name}, oldest first. */
  public List<JsonObject> events(String name) {
    String all = text.toString();
    List<JsonObject> out = new ArrayList<>();
    for (String block : all.substring(0, Math.max(0, all.lastIndexOf("\n\n"))).split("\n\n")) {
      if (block.startsWith("event: " + name + "\n")) {
        out.add(new JsonObject(block.substring(block.indexOf("data: ") + 6)));
      }
    }
    return out;
  }

  /** Everything received so far. */
  public String raw() {
    return text.toString();
  }

  @Override
  public void close() {
    Await.result(client.close());
  }
}
