package dev.tokenbroker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Revocation against a real RFC 7009 server: panva's {@code oidc-provider} under Node. Skipped
 * (not failed) unless Node runs and the npm package is installed where
 * {@code OIDC_PROVIDER_MODULES} (default {@code target/oidc/node_modules}) points:
 * {@code npm install --prefix target/oidc oidc-provider@9.13.3}; {@code .ci/run} installs it there.
 */
class RevocationOidcProviderTest {
  private static final String CLIENT_ID = "broker";
  private static final String CLIENT_SECRET = "broker-secret-0123456789";
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private Process server;
  private BrokerNode node;

  private static Path modules() {
    String configured = System.getenv("OIDC_PROVIDER_MODULES");
    return Path.of(configured != null ? configured : "target/oidc/node_modules").toAbsolutePath();
  }

  private static boolean nodeRuns() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private int startServer() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path script = Path.of("src/test/resources/oidc/revocation-server.mjs").toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder("node", script.toString(), String.valueOf(port)).redirectErrorStream(true);
    pb.environment().put("OIDC_PROVIDER_MODULES", modules().toString());
    server = pb.start();
    broker.closeAfterNodes("oidc-provider", server::destroyForcibly);
    AtomicBoolean listening = new AtomicBoolean();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("listening ")) {
            listening.set(true);
          }
        }
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    Await.until("oidc-provider to listen", Duration.ofSeconds(30), listening::get);
    return port;
  }

  /** RFC 7662 introspection, as the provider sees the token. */
  private static boolean active(int port, String token) throws Exception {
    String basic = Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/token/introspection")).header("Authorization", "Basic " + basic)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getBoolean("active");
  }

  @Test
  void aDisconnectRevokesTheTokenAtOidcProvider() throws Exception {
    assumeTrue(nodeRuns(), "node is not installed");
    assumeTrue(Files.exists(modules().resolve("oidc-provider/package.json")),
        "oidc-provider is not installed (npm install --prefix target/oidc oidc-provider@9)");
    int port = startServer();
    String issuer = "http://127.0.0.1:" + port;
    node = broker.start(TestConfigs.broker(new JsonObject().put("oidc", new JsonObject()
        .put("token-url", issuer + "/token").put("revocation-url", issuer + "/token/revocation")
        .put("grant", "client_credentials").put("body", "form").put("client-auth", "basic").put("scope", "api")
        .put("client-id", CLIENT_ID).put("client-secret", CLIENT_SECRET).put("timeout-seconds", 10))));
    Http http = broker.http(node);
    String token = http.get("/v1/tokens/oidc").bodyAsJsonObject().getString("access_token");
    assertEquals(true, active(port, token), "the provider issued it");

    var deleted = http.send(HttpMethod.DELETE, "/v1/tokens/oidc", TestConfigs.API_KEY);

    assertEquals(200, deleted.statusCode());
    assertEquals(new JsonObject().put("revoked", true), deleted.bodyAsJsonObject());
    assertEquals(false, active(port, token), "the provider no longer accepts it");
  }
}
