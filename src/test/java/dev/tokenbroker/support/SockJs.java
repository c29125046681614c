package dev.tokenbroker.support;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A client of a node's SockJS event-bus bridge: the JDK's WebSocket on SockJS's raw WebSocket
 * transport (which answers in binary frames). Every frame received is kept, in order. Open it
 * with {@link BrokerExtension#sockJs}.
 */
public final class SockJs implements AutoCloseable {
  public final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final WebSocket socket;

  private SockJs(int port) {
    socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/eventbus/websocket"), new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            partial.append(StandardCharsets.UTF_8.decode(data));
            if (last) {
              frames.add(new JsonObject(partial.toString()));
              partial.setLength(0);
            }
            ws.request(1);
            return null;
          }
        }).join();
  }

  public static SockJs connect(BrokerNode node) {
    return new SockJs(node.httpPort());
  }

  /** A request (send with a reply address) carrying {@code apiKey}. */
  public void send(String address, String replyAddress, Object body, String apiKey) {
    write(frame("send", address, apiKey).put("replyAddress", replyAddress).put("body", body));
  }

  public void publish(String address, Object body, String apiKey) {
    write(frame("publish", address, apiKey).put("body", body));
  }

  public void register(String address, String apiKey) {
    write(frame("register", address, apiKey));
  }

  /** The first frame, in arrival order, that {@code test} accepts; waits up to 10 s for it. */
  public JsonObject await(String what, Predicate<JsonObject> test) {
    Await.until(what, Duration.ofSeconds(10), () -> frames.stream().anyMatch(test));
    return frames.stream().filter(test).findFirst().orElseThrow();
  }

  /** The frame answering the request sent with {@code replyAddress}: a reply ("rec") or a failure ("err"). */
  public JsonObject answer(String replyAddress) {
    return await("the answer to " + replyAddress, f -> replyAddress.equals(f.getString("address")));
  }

  private static JsonObject frame(String type, String address, String apiKey) {
    JsonObject frame = new JsonObject().put("type", type).put("address", address);
    if (apiKey != null) {
      frame.put("headers", new JsonObject().put("authorization", "Bearer " + apiKey));
    }
    return frame;
  }

  private void write(JsonObject frame) {
    socket.sendText(frame.encode(), true).join();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
  }
}
