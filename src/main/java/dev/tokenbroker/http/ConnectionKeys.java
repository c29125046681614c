package dev.tokenbroker.http;

import dev.tokenbroker.auth.ApiKey;
import io.vertx.core.http.HttpConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * API-key checks with a memory per connection: a service that keeps its connection open sends the
 * same {@code Authorization} header on every request, so once that header was accepted on a
 * connection, the same header on the same connection is the same key, without hashing it again.
 * A different header is checked in full. Entries go when their connection closes. One per HTTP
 * verticle instance: a connection's requests and its close are all handled on that instance's
 * event loop.
 */
final class ConnectionKeys {
  private record Accepted(byte[] header, ApiKey key) {}

  private final ApiKeyAuth auth;
  private final Map<HttpConnection, Accepted> accepted = new HashMap<>();

  ConnectionKeys(ApiKeyAuth auth) {
    this.auth = auth;
  }

  Optional<ApiKey> authenticate(HttpConnection connection, String authorizationHeader) {
    if (authorizationHeader == null) {
      return Optional.empty();
    }
    byte[] header = authorizationHeader.getBytes(StandardCharsets.UTF_8);
    Accepted known = accepted.get(connection);
    if (known != null && MessageDigest.isEqual(known.header(), header)) {
      return Optional.of(known.key());
    }
    Optional<ApiKey> key = auth.authenticate(authorizationHeader);
    if (key.isPresent()) {
      accepted.put(connection, new Accepted(header, key.get()));
    } else {
      accepted.remove(connection);
    }
    return key;
  }

  void closed(HttpConnection connection) {
    accepted.remove(connection);
  }

  int size() {
    return accepted.size();
  }
}
