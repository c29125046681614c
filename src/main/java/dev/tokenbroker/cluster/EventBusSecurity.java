package dev.tokenbroker.cluster;

import dev.tokenbroker.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * {@code cluster.eventbus-tls}: the event-bus transport between nodes runs over TLS, and every
 * connection must present a certificate issued by the cluster's CA. A process without one can
 * neither send {@code token.get.*} to a node nor receive its events. (Hazelcast's own member
 * protocol is not covered: open-source Hazelcast has no TLS; see docs/security.md.)
 */
public final class EventBusSecurity {
  private EventBusSecurity() {}

  public static EventBusOptions apply(EventBusOptions options, ClusterConfig.EventBusTls tls) {
    if (tls == null) {
      return options;
    }
    return options.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()))
        .setTrustOptions(new PemTrustOptions().addCertPath(tls.trustPath()))
        .setClientAuth(ClientAuth.REQUIRED);
  }
}
