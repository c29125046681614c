package dev.tokenbroker.token;

import dev.tokenbroker.error.BrokerException;

/**
 * What a caller needs from a token: at least {@code minValidity} seconds left, and a version
 * newer than {@code staleVersion} (a version the caller's API call was refused with, or the
 * version a forced rotation must replace). {@code existingOnly}: a renewal of a token that is
 * there; when there is none (deleted meanwhile), nothing is to be done and nothing is created.
 */
public record TokenNeed(long minValidity, Long staleVersion, boolean existingOnly) {

  public TokenNeed(long minValidity, Long staleVersion) {
    this(minValidity, staleVersion, false);
  }

  public static TokenNeed fresh(long minValidity) {
    return new TokenNeed(minValidity, null);
  }

  /**
   * A {@code token.get}'s need given the current token. A rejected version counts only when it
   * is the current one: an older one is already replaced, and one the broker has not issued
   * (higher than the current version, or any when there is no token: after a restart of a memory
   * store or a delete) says nothing about the current token, so it never causes a rotation.
   */
  public static TokenNeed forGet(long minValidity, Long rejectedVersion, Token current) {
    boolean rejectsCurrent = rejectedVersion != null && current != null && current.version() == rejectedVersion;
    return new TokenNeed(minValidity, rejectsCurrent ? rejectedVersion : null);
  }

  /** The refresh timer's need: a version newer than {@code dueVersion}, of a token that exists. */
  public static TokenNeed renewal(long dueVersion) {
    return new TokenNeed(0, dueVersion, true);
  }

  /** Nothing (more) to do: the token meets the need, or it is a renewal of a token that is gone. */
  public boolean settledBy(Token token, TokenPolicy policy) {
    return satisfiedBy(token, policy) || (token == null && existingOnly);
  }

  public boolean satisfiedBy(Token token, TokenPolicy policy) {
    return token != null
        && policy.isFresh(token, minValidity)
        && (staleVersion == null || token.version() > staleVersion);
  }

  /** 400 invalid_request when {@code minValidity} exceeds the lifetime the provider issued {@code token} with. */
  public static void checkMinValidity(Token token, long minValidity) {
    if (token != null && minValidity > token.lifetime().getSeconds()) {
      throw BrokerException.invalidRequest("min_validity " + minValidity + " exceeds the lifetime the provider issues ("
          + token.lifetime().getSeconds() + " s)");
    }
  }
}
