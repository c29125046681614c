package dev.tokenbroker.proxy;

import dev.tokenbroker.token.TokenKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a provider API's 401 may be reported as a rejected token version (which rotates the
 * token). Invariant: per token and node, at most one version is reported per {@link #WINDOW}, so
 * an API that refuses every token cannot cause a rotation storm. Callers who got a 401 for the
 * version already reported (or an older one) may report it too: the token service answers them
 * with the token that rotation produced, without another rotation. Pure: the caller gives the time.
 */
public final class RejectionBudget {
  public static final Duration WINDOW = Duration.ofSeconds(30);

  private record Report(long version, Instant at) {}

  private final Duration window;
  private final ConcurrentHashMap<TokenKey, Report> reports = new ConcurrentHashMap<>();

  public RejectionBudget() {
    this(WINDOW);
  }

  public RejectionBudget(Duration window) {
    this.window = window;
  }

  /**
   * True when a 401 for {@code version} of {@code key} may be reported now: no report within the
   * window, or the one within it was for this version or a later one (reporting again joins it).
   */
  public boolean mayReport(TokenKey key, long version, Instant now) {
    boolean[] allowed = {false};
    reports.compute(key, (k, last) -> {
      if (last == null || !now.isBefore(last.at().plus(window))) {
        allowed[0] = true;
        return new Report(version, now);
      }
      allowed[0] = version <= last.version();
      return last;
    });
    return allowed[0];
  }
}
