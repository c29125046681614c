package dev.tokenbroker.proxy;

import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which headers cross the proxy. Towards the provider: not the caller's credentials
 * ({@code Authorization}, {@code Cookie}), not the broker's own {@code Token-Broker-*}, not
 * {@code Host} (the target's is used), not {@code Forwarded} / {@code X-Forwarded-*}, not
 * hop-by-hop headers (nor those {@code Connection} names), not {@code Content-Length} (the proxy
 * sets the length it sends). Back to the caller: everything but hop-by-hop headers,
 * {@code Set-Cookie} and {@code Content-Length} (set again by the relay).
 */
public final class ProxyHeaders {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect");

  private ProxyHeaders() {}

  /** The caller's headers the provider may see. */
  public static MultiMap toProvider(MultiMap caller) {
    Set<String> dropped = connectionNamed(caller);
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    caller.forEach((name, value) -> {
      String n = name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(n) || dropped.contains(n) || n.equals("authorization") || n.equals("cookie")
          || n.equals("host") || n.equals("content-length") || n.equals("forwarded") || n.startsWith("x-forwarded-")
          || n.startsWith("token-broker-")) {
        return;
      }
      out.add(name, value);
    });
    return out;
  }

  /** The provider's headers the caller gets. */
  public static MultiMap toCaller(MultiMap provider) {
    Set<String> dropped = connectionNamed(provider);
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    provider.forEach((name, value) -> {
      String n = name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(n) || dropped.contains(n) || n.equals("set-cookie") || n.equals("set-cookie2")
          || n.equals("content-length")) {
        return;
      }
      out.add(name, value);
    });
    return out;
  }

  private static Set<String> connectionNamed(MultiMap headers) {
    Set<String> names = new HashSet<>();
    for (String value : headers.getAll("Connection")) {
      for (String token : value.split(",")) {
        if (!token.isBlank()) {
          names.add(token.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }
}
