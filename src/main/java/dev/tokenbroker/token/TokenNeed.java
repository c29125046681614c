package dev.tokenbroker.token;

/**
 * What a caller needs from a token: at least {@code minValidity} seconds left, and a version
 * newer than {@code staleVersion} (a version the caller's API call was refused with, or the
 * version a forced rotation must replace).
 */
public record TokenNeed(long minValidity, Long staleVersion) {

  public static TokenNeed fresh(long minValidity) {
    return new TokenNeed(minValidity, null);
  }

  public boolean satisfiedBy(Token token, TokenPolicy policy) {
    return token != null
        && policy.isFresh(token, minValidity)
        && (staleVersion == null || token.version() > staleVersion);
  }
}
