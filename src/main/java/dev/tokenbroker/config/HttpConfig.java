package dev.tokenbroker.config;

import java.util.List;

/**
 * The HTTP bridge: where it listens, which API keys it accepts, its TLS key material
 * ({@code tlsCertPath}/{@code tlsKeyPath}, PEM; both null for plain HTTP) and the limits that
 * keep one node's resources bounded.
 */
public record HttpConfig(String host, int port, List<ApiKey> apiKeys, int instances, String tlsCertPath, String tlsKeyPath,
                         Limits limits) {
  public HttpConfig {
    apiKeys = List.copyOf(apiKeys);
  }

  public HttpConfig(String host, int port, List<ApiKey> apiKeys, int instances, String tlsCertPath, String tlsKeyPath) {
    this(host, port, apiKeys, instances, tlsCertPath, tlsKeyPath, Limits.defaults());
  }

  /**
   * Per node, whatever the number of HTTP verticle instances.
   *
   * @param idleTimeoutSeconds {@code http.idle-timeout-seconds}: a connection with no traffic either way this long is closed
   * @param maxConnections {@code http.max-connections}: connections beyond are closed as soon as they are accepted
   * @param maxEventStreams {@code http.max-event-streams}: {@code GET /v1/events} beyond answers 503
   * @param maxPendingAuthorizations {@code http.max-pending-authorizations}: authorize links not yet used nor
   *     expired; beyond, authorize answers 503
   */
  public record Limits(int idleTimeoutSeconds, int maxConnections, int maxEventStreams, int maxPendingAuthorizations) {
    public static Limits defaults() {
      return new Limits(60, 1000, 100, 10_000);
    }
  }
}
