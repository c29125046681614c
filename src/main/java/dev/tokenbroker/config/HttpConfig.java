package dev.tokenbroker.config;

import dev.tokenbroker.auth.ApiKey;
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
   * @param proxyMaxBodyBytes {@code http.proxy-max-body-bytes}: a proxied request or answer body beyond is refused (413)
   */
  public record Limits(int idleTimeoutSeconds, int maxConnections, int maxEventStreams, int maxPendingAuthorizations,
                       long proxyMaxBodyBytes) {
    public static final long DEFAULT_PROXY_MAX_BODY_BYTES = 10L * 1024 * 1024;

    public Limits(int idleTimeoutSeconds, int maxConnections, int maxEventStreams, int maxPendingAuthorizations) {
      this(idleTimeoutSeconds, maxConnections, maxEventStreams, maxPendingAuthorizations, DEFAULT_PROXY_MAX_BODY_BYTES);
    }

    public static Limits defaults() {
      return new Limits(60, 1000, 100, 10_000);
    }
  }
}
