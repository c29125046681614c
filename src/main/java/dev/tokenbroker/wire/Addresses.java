package dev.tokenbroker.wire;

/** Event-bus addresses of the contract. */
public final class Addresses {
  public static final String GET_PREFIX = "token.get.";
  public static final String REFRESH_PREFIX = "token.refresh.";
  public static final String ROTATED = "token.rotated";
  public static final String FAILED = "token.failed";
  public static final String RECOVERED = "token.recovered";
  public static final String EXPIRING = "token.expiring";
  /** The published events about one token, which SSE and SockJS subscribers receive (each filtered by its key's scope). */
  public static final java.util.List<String> EVENTS = java.util.List.of(ROTATED, FAILED, RECOVERED, EXPIRING);

  private Addresses() {}

  public static String get(String provider) {
    return GET_PREFIX + provider;
  }

  public static String refresh(String provider) {
    return REFRESH_PREFIX + provider;
  }
}
