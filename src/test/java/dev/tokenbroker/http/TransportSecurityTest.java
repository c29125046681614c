package dev.tokenbroker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.wire.Addresses;
import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.config.ConfigException;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** https to providers with verified certificates, and TLS on the HTTP bridge. */
class TransportSecurityTest {
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private final SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
  private final Vertx providerVertx = broker.vertx();
  private int providerPort;

  @BeforeEach
  void startHttpsProvider() {
    HttpServer server = Await.result(providerVertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(certificate.keyCertOptions()))
        .requestHandler(req -> req.response().putHeader("Content-Type", "application/json")
            .end(TestConfigs.tokenJson("tls-token", 3600)))
        .listen(0, "127.0.0.1"));
    providerPort = server.actualPort();
  }

  private JsonObject config(String trustPem) {
    // the first call also sets up TLS (trust store, handshake): give it a deadline a loaded machine meets
    JsonObject provider = TestConfigs.esignglobal("https://localhost:" + providerPort).put("timeout-seconds", 10);
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", provider));
    if (trustPem != null) {
      config.put("tls", new JsonObject().put("provider-trust-pem", trustPem));
    }
    return config;
  }

  @Test
  void anUntrustedProviderCertificateIsRefused() {
    try (BrokerNode node = broker.start(config(null))) {
      ReplyException e = node.requestFailure(Addresses.get("esignglobal"), null);
      assertEquals(503, e.failureCode());
      assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }
  }

  @Test
  void aConfiguredTrustStoreIsUsedForProviders() {
    try (BrokerNode node = broker.start(config(certificate.certificatePath()))) {
      assertEquals("tls-token", node.request(Addresses.get("esignglobal"), null).getString("access_token"));
    }
  }

  @Test
  void theBridgeServesTlsFromConfiguredKeyMaterial() {
    JsonObject config = config(certificate.certificatePath());
    config.getJsonObject("http").put("tls", new JsonObject()
        .put("cert-path", certificate.certificatePath()).put("key-path", certificate.privateKeyPath()));
    try (BrokerNode node = broker.start(config)) {
      WebClient client = broker.webClient(node.vertx, new WebClientOptions().setSsl(true)
          .setTrustOptions(certificate.trustOptions()).setVerifyHost(false));
      HttpResponse<Buffer> r = Await.result(client.get(node.httpPort(), "127.0.0.1", "/v1/tokens/esignglobal")
          .putHeader("Authorization", "Bearer " + TestConfigs.API_KEY).send());
      assertEquals(200, r.statusCode());
      assertEquals("tls-token", r.bodyAsJsonObject().getString("access_token"));
    }
  }

  @Test
  void plainHttpTokenUrlsAreRefusedUnlessLoopbackOrAllowed() {
    JsonObject raw = TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal("http://auth.example.com")));
    ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.parse(raw));
    assertTrue(e.getMessage().startsWith("providers.esignglobal.base-url: must use https"), e.getMessage());

    raw.getJsonObject("providers").getJsonObject("esignglobal").put("allow-insecure-http", true);
    BrokerConfig.parse(raw);
    BrokerConfig.parse(TestConfigs.broker(new JsonObject().put("esignglobal", TestConfigs.esignglobal("http://localhost:9999"))));
  }

  @Test
  void tlsKeyMaterialMustBeComplete() {
    JsonObject raw = config(null);
    raw.getJsonObject("http").put("tls", new JsonObject().put("cert-path", certificate.certificatePath()));
    assertEquals("http.tls.key-path: is required with http.tls.cert-path",
        assertThrows(ConfigException.class, () -> BrokerConfig.parse(raw)).getMessage());
    raw.getJsonObject("http").put("tls", new JsonObject().put("cert-path", "/nope.pem").put("key-path", "/nope.key"));
    assertEquals("http.tls.cert-path: cannot read the file '/nope.pem'",
        assertThrows(ConfigException.class, () -> BrokerConfig.parse(raw)).getMessage());
  }
}
