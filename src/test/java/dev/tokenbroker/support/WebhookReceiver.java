package dev.tokenbroker.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver as an integrator would write one: a Vert.x HTTP server on a loopback port
 * that records every POST (path, headers, raw body, arrival) and verifies the signature itself,
 * with its own HMAC code, not the broker's. Answers with the scripted statuses, then 200.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One received request. */
  public record Received(String path, String signature, String event, String body, Instant at, boolean verified) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, String> secrets;
  private final List<Integer> script = new CopyOnWriteArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();
  public final List<Received> received = new CopyOnWriteArrayList<>();

  /** @param secrets the signing secret of each path */
  public WebhookReceiver(Map<String, String> secrets) {
    this.secrets = Map.copyOf(secrets);
    this.server = Await.result(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String text = body.toString(StandardCharsets.UTF_8);
      String signature = req.getHeader("Token-Broker-Signature");
      received.add(new Received(req.path(), signature, req.getHeader("Token-Broker-Event"), text, Instant.now(),
          verify(secrets.get(req.path()), signature, text)));
      int n = answered.getAndIncrement();
      req.response().setStatusCode(n < script.size() ? script.get(n) : 200).end();
    })).listen(0, "127.0.0.1"));
  }

  /** The next requests are answered with these statuses, in order; then 200. */
  public WebhookReceiver answering(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  /**
   * The check a receiver makes: {@code t=<ts>,v1=<hex>}, HMAC-SHA256 of {@code ts + "." + body}
   * with the shared secret, compared in constant time, timestamp within 5 minutes of now.
   */
  static boolean verify(String secret, String header, String body) {
    if (secret == null || header == null || !header.matches("t=[0-9]+,v1=[0-9a-f]{64}")) {
      return false;
    }
    String timestamp = header.substring(2, header.indexOf(','));
    String given = header.substring(header.indexOf("v1=") + 3);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] expected = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      boolean fresh = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) <= 300;
      return fresh && MessageDigest.isEqual(expected, HexFormat.of().parseHex(given));
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
