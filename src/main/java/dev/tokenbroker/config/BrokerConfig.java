package dev.tokenbroker.config;

import dev.tokenbroker.token.RefreshTiming;
import dev.tokenbroker.provider.ProviderSpec;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;

/**
 * The whole validated configuration of a node. Build it with {@link #parse(JsonObject)}.
 *
 * @param providerTrustPem CA certificates (PEM) trusted for provider calls instead of the JVM's, or null
 * @param webhooks where to POST lifecycle events ({@code webhooks:})
 */
public record BrokerConfig(
    HttpConfig http,
    RefreshTiming refresh,
    StoreConfig store,
    int busInstances,
    Map<String, ProviderSpec> providers,
    Optional<SandboxConfig> sandbox,
    String providerTrustPem,
    ClusterConfig cluster,
    java.util.List<WebhookConfig> webhooks) {

  public BrokerConfig {
    providers = Map.copyOf(providers);
    webhooks = java.util.List.copyOf(webhooks);
  }

  /** Validates the merged raw configuration; throws {@link ConfigException} naming the key. */
  public static BrokerConfig parse(JsonObject raw) {
    return new ConfigParser(raw).parse();
  }

  public Optional<ProviderSpec> provider(String name) {
    return Optional.ofNullable(providers.get(name));
  }
}
