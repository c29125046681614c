package dev.tokenbroker.accounts;

import dev.tokenbroker.auth.AccountGlob;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.token.TokenKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filters and page of {@code GET /v1/tokens?provider=&state=&account=&limit=&cursor=}, validated:
 * {@code provider} and {@code state} take one value or several separated by commas, {@code account}
 * a name or a pattern with {@code *} and {@code ?}, {@code limit} 1 to {@value #MAX_LIMIT} (default
 * {@value #DEFAULT_LIMIT}), {@code cursor} the opaque value a previous page gave. Anything else is
 * 400 {@code invalid_request}.
 *
 * <p>Pages are in (provider, account) order; a cursor is the last key of the previous page, so a
 * page never repeats or skips an account that stays stored, however accounts come and go between
 * requests.
 *
 * @param providers empty: every provider
 * @param states empty: every state
 * @param account null: every account
 * @param after null: from the first account
 */
public record AccountQuery(Set<String> providers, Set<AccountState> states, AccountGlob account, int limit, TokenKey after) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;
  private static final String CURSOR_PREFIX = "k1:";

  /**
   * Reads the query; {@code values} has every occurrence of each parameter.
   *
   * @param configured the providers that exist
   */
  public static AccountQuery parse(Map<String, List<String>> values, Collection<String> configured) {
    Set<String> providers = new LinkedHashSet<>();
    for (String p : list(values, "provider")) {
      if (!configured.contains(p)) {
        throw BrokerException.invalidRequest("provider '" + clip(p) + "' is not configured (" + String.join(", ", configured) + ")");
      }
      providers.add(p);
    }
    Set<AccountState> states = EnumSet.noneOf(AccountState.class);
    for (String s : list(values, "state")) {
      states.add(AccountState.byWireName(s).orElseThrow(() ->
          BrokerException.invalidRequest("state '" + clip(s) + "' is not one of " + AccountState.names())));
    }
    String pattern = single(values, "account");
    AccountGlob account;
    try {
      account = pattern == null ? null : AccountGlob.of(pattern);
    } catch (IllegalArgumentException e) {
      throw BrokerException.invalidRequest("account: " + e.getMessage());
    }
    String limitText = single(values, "limit");
    int limit = DEFAULT_LIMIT;
    if (limitText != null) {
      if (!limitText.matches("[0-9]{1,9}") || Integer.parseInt(limitText) < 1 || Integer.parseInt(limitText) > MAX_LIMIT) {
        throw BrokerException.invalidRequest("limit must be a whole number from 1 to " + MAX_LIMIT);
      }
      limit = Integer.parseInt(limitText);
    }
    String cursor = single(values, "cursor");
    return new AccountQuery(providers, states, account, limit, cursor == null ? null : decodeCursor(cursor));
  }

  /** The cursor that continues after {@code last}. */
  public static String cursorAfter(TokenKey last) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((CURSOR_PREFIX + last.id()).getBytes(StandardCharsets.UTF_8));
  }

  static TokenKey decodeCursor(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!text.startsWith(CURSOR_PREFIX) || text.indexOf(':', CURSOR_PREFIX.length()) < 0) {
        throw new IllegalArgumentException();
      }
      return TokenKey.fromId(text.substring(CURSOR_PREFIX.length()));
    } catch (RuntimeException e) {
      throw BrokerException.invalidRequest("cursor is not one this broker gave out (use next_cursor of the previous page as it is)");
    }
  }

  /** True when the token key passes the provider and account filters (the state is decided apart). */
  public boolean selects(TokenKey key) {
    return (providers.isEmpty() || providers.contains(key.provider())) && (account == null || account.matches(key.account()));
  }

  public boolean selects(AccountState state) {
    return states.isEmpty() || states.contains(state);
  }

  private static List<String> list(Map<String, List<String>> values, String name) {
    String value = single(values, name);
    if (value == null) {
      return List.of();
    }
    List<String> out = java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    if (out.isEmpty()) {
      throw BrokerException.invalidRequest(name + " must name at least one value");
    }
    return out;
  }

  private static String single(Map<String, List<String>> values, String name) {
    List<String> all = values.getOrDefault(name, List.of());
    if (all.size() > 1) {
      throw BrokerException.invalidRequest(name + " may be given only once");
    }
    return all.isEmpty() ? null : all.get(0);
  }

  /** A value echoed in an error, cut short and without control characters. */
  private static String clip(String s) {
    String clean = s.replaceAll("[\\p{Cntrl}]", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
  }
}
