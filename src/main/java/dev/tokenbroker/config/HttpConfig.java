package dev.tokenbroker.config;

import java.util.List;

/** The HTTP bridge: where it listens and which API keys it accepts. */
public record HttpConfig(String host, int port, List<ApiKey> apiKeys, int instances) {
  public HttpConfig {
    apiKeys = List.copyOf(apiKeys);
  }
}
