package dev.tokenbroker.proxy;

import io.vertx.core.MultiMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
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
  private static final Set<String> NOT_TO_PROVIDER = Set.of("authorization", "cookie", "host", "content-length", "forwarded");
  private static final Set<String> NOT_TO_CALLER = Set.of("set-cookie", "set-cookie2", "content-length");

  private ProxyHeaders() {}

  /** The caller's headers the provider may see. */
  public static MultiMap toProvider(MultiMap caller) {
    return copy(caller, MultiMap.caseInsensitiveMultiMap(), true);
  }

  /** The provider's headers the caller gets, added to {@code into}. */
  public static MultiMap toCaller(MultiMap provider, MultiMap into) {
    return copy(provider, into, false);
  }

  /** The provider's headers the caller gets. */
  public static MultiMap toCaller(MultiMap provider) {
    return toCaller(provider, MultiMap.caseInsensitiveMultiMap());
  }

  private static MultiMap copy(MultiMap from, MultiMap into, boolean toProvider) {
    Set<String> connectionNamed = from.contains("Connection") ? connectionNamed(from) : Set.of();
    for (Map.Entry<String, String> header : from) {
      String name = header.getKey();
      if (passes(name, toProvider) && (connectionNamed.isEmpty() || !connectionNamed.contains(name.toLowerCase(Locale.ROOT)))) {
        into.add(name, header.getValue());
      }
    }
    return into;
  }

  private static boolean passes(String name, boolean toProvider) {
    String n = isLowerCase(name) ? name : name.toLowerCase(Locale.ROOT);
    if (HOP_BY_HOP.contains(n)) {
      return false;
    }
    if (toProvider) {
      return !NOT_TO_PROVIDER.contains(n) && !n.startsWith("x-forwarded-") && !n.startsWith("token-broker-");
    }
    return !NOT_TO_CALLER.contains(n);
  }

  private static boolean isLowerCase(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return false;
      }
    }
    return true;
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
