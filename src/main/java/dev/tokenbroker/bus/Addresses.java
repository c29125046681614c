package dev.tokenbroker.bus;

/** Event-bus addresses of the contract. */
public final class Addresses {
  public static final String GET_PREFIX = "token.get.";
  public static final String REFRESH_PREFIX = "token.refresh.";
  public static final String ROTATED = "token.rotated";
  public static final String FAILED = "token.failed";

  private Addresses() {}

  public static String get(String provider) {
    return GET_PREFIX + provider;
  }

  public static String refresh(String provider) {
    return REFRESH_PREFIX + provider;
  }
}
