package dev.tokenbroker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.config.BrokerConfig;
import dev.tokenbroker.config.ConfigException;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The proxy's configuration: presets' API bases, api-base-url (https unless loopback), timeouts, body limit. */
class ProxyConfigTest {
  private static JsonObject other(String apiBase) {
    JsonObject p = new JsonObject().put("token-url", "https://auth.example.com/token").put("client-id", "c").put("client-secret", "s");
    return apiBase == null ? p : p.put("api-base-url", apiBase);
  }

  private static BrokerConfig parse(JsonObject providers) {
    return BrokerConfig.parse(TestConfigs.broker(providers));
  }

  @Test
  void presetsBringTheirApiBases() {
    BrokerConfig cfg = parse(new JsonObject()
        .put("esignglobal", TestConfigs.esignglobal("https://openapi-sml.esignglobal.com/"))
        .put("rightsignature", TestConfigs.rightsignature("https://api.rightsignature.com")));
    assertEquals("https://openapi-sml.esignglobal.com/esignglobal/v1", cfg.providers().get("esignglobal").apiBaseUrl());
    assertEquals("https://api.rightsignature.com/public/v1", cfg.providers().get("rightsignature").apiBaseUrl());
  }

  @Test
  void aProviderWithoutPresetHasNoApiBaseUnlessConfigured() {
    assertNull(parse(new JsonObject().put("other", other(null))).providers().get("other").apiBaseUrl());
    ProviderSpec spec = parse(new JsonObject().put("other", other("https://api.example.com/v2/"))).providers().get("other");
    assertEquals("https://api.example.com/v2", spec.apiBaseUrl());
  }

  @Test
  void proxyTimeoutAndBodyLimitHaveDefaults() {
    BrokerConfig cfg = parse(new JsonObject().put("other", other("https://api.example.com")));
    assertEquals(Duration.ofSeconds(30), cfg.providers().get("other").proxyTimeout());
    assertEquals(10L * 1024 * 1024, cfg.http().limits().proxyMaxBodyBytes());
    JsonObject raw = TestConfigs.broker(new JsonObject().put("other", other("https://api.example.com").put("proxy-timeout-seconds", 5)));
    raw.getJsonObject("http").put("proxy-max-body-bytes", 1000);
    BrokerConfig set = BrokerConfig.parse(raw);
    assertEquals(Duration.ofSeconds(5), set.providers().get("other").proxyTimeout());
    assertEquals(1000, set.http().limits().proxyMaxBodyBytes());
  }

  @Test
  void anApiBaseOverPlainHttpIsRefusedUnlessLoopback() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> parse(new JsonObject().put("other", other("http://api.example.com"))));
    assertTrue(e.getMessage().contains("providers.other.api-base-url"), e.getMessage());
    assertEquals("http://127.0.0.1:8089/api", parse(new JsonObject().put("other", other("http://127.0.0.1:8089/api")))
        .providers().get("other").apiBaseUrl());
  }

  @Test
  void anApiBaseWithAQueryIsRefused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> parse(new JsonObject().put("other", other("https://api.example.com/v2?x=1"))));
    assertTrue(e.getMessage().contains("api-base-url"), e.getMessage());
  }

  @Test
  void aMisspeltProxyKeyIsReported() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> parse(new JsonObject().put("other", other("https://api.example.com").put("proxy-timeout-second", 5))));
    assertTrue(e.getMessage().contains("proxy-timeout-seconds"), e.getMessage());
  }
}
