package dev.tokenbroker.config;

import java.util.List;

/**
 * The HTTP bridge: where it listens, which API keys it accepts, and its TLS key material
 * ({@code tlsCertPath}/{@code tlsKeyPath}, PEM; both null for plain HTTP).
 */
public record HttpConfig(String host, int port, List<ApiKey> apiKeys, int instances, String tlsCertPath, String tlsKeyPath) {
  public HttpConfig {
    apiKeys = List.copyOf(apiKeys);
  }
}
