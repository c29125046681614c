package dev.tokenbroker.support;

import dev.tokenbroker.config.ConfigLoader;
import dev.tokenbroker.secret.Secret;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Broker configurations for tests: HTTP on a free port, no jitter, providers on WireMock, and
 * {@link #API_KEY} accepted with every action (admin included).
 */
public final class TestConfigs {
  public static final String API_KEY = "test-api-key-123";
  public static final String CLIENT_ID = "client-abc";
  public static final String CLIENT_SECRET = "client-secret-xyz";
  /** The cluster key of test clusters (TOKEN_BROKER_CLUSTER_KEY): base64 of 32 bytes. */
  public static final String CLUSTER_KEY = "dGVzdC1jbHVzdGVyLWtleS0wMTIzNDU2Nzg5YWJjZGU=";

  private TestConfigs() {}

  public static JsonObject broker(JsonObject providers) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 1)
            .put("api-keys", new JsonArray().add(new JsonObject().put("name", "test").put("sha256", Secret.sha256Hex(API_KEY))
                .put("actions", new JsonArray().add("read").add("refresh").add("proxy").add("events").add("admin")))))
        .put("refresh", new JsonObject()
            .put("skew-seconds", 300).put("jitter-seconds", 0).put("min-validity-seconds", 30)
            .put("default-lifetime-seconds", 3600).put("retry-initial-seconds", 1).put("retry-max-seconds", 300))
        .put("cluster", new JsonObject().put("encryption-key", CLUSTER_KEY))
        .put("providers", providers);
  }

  /** eSignGlobal preset pointed at a test server by base-url (the preset adds the path). */
  public static JsonObject esignglobal(String baseUrl) {
    return new JsonObject().put("preset", "esignglobal").put("base-url", baseUrl)
        .put("client-id", CLIENT_ID).put("client-secret", CLIENT_SECRET).put("timeout-seconds", 2);
  }

  /** RightSignature preset pointed at a test server by token-url. */
  public static JsonObject rightsignature(String baseUrl) {
    return new JsonObject().put("preset", "rightsignature").put("token-url", baseUrl + "/oauth/token")
        .put("authorize-url", baseUrl + "/oauth/authorize")
        .put("redirect-uri", "https://broker.example.com/v1/oauth/rightsignature/callback")
        .put("client-id", CLIENT_ID).put("client-secret", CLIENT_SECRET).put("timeout-seconds", 2);
  }

  /**
   * The shipped demo configuration (conf/demo.yaml, read as Main reads it) with the HTTP bridge on
   * a free port (one instance) and the sandbox provider on {@code sandboxPort}.
   */
  public static JsonObject demo(Vertx vertx, int sandboxPort) {
    JsonObject config = Await.result(ConfigLoader.load(vertx, "conf/demo.yaml", Map.of()));
    config.getJsonObject("http").put("port", 0).put("instances", 1);
    config.getJsonObject("sandbox").put("port", sandboxPort);
    config.getJsonObject("providers").getJsonObject("sandbox").put("base-url", "http://127.0.0.1:" + sandboxPort);
    return config;
  }

  /** A TCP port nobody listens on now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String tokenJson(String accessToken, long expiresIn) {
    return new JsonObject().put("access_token", accessToken).put("token_type", "bearer")
        .put("expires_in", expiresIn).put("scope", "read-write").encode();
  }
}
