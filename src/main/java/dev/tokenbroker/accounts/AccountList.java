package dev.tokenbroker.accounts;

import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenPolicy;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One page of the account list, decided without I/O: the tokens a key may see, filtered by the
 * {@link AccountQuery}, in (provider, account) order, at most {@code limit} after the cursor. Each
 * row says what an operator needs and never a secret.
 */
public final class AccountList {
  private static final Comparator<TokenKey> ORDER = Comparator.comparing(TokenKey::provider).thenComparing(TokenKey::account);

  private AccountList() {}

  /** @param nextCursor the cursor of the following page, or null when this is the last one */
  public record Page(List<JsonObject> accounts, String nextCursor) {}

  /**
   * @param visible the tokens the request's API key covers
   * @param rotating the keys whose rotation lease is held now
   * @param userGrant the providers whose accounts only a person can authorize (authorization_code)
   */
  public static Page page(Collection<Token> tokens, AccountQuery query, Predicate<TokenKey> visible, Set<TokenKey> rotating,
                          Predicate<String> userGrant, TokenPolicy policy) {
    List<JsonObject> rows = new ArrayList<>();
    TokenKey last = null;
    boolean more = false;
    List<Token> sorted = tokens.stream()
        .filter(t -> query.after() == null || ORDER.compare(t.key(), query.after()) > 0)
        .filter(t -> query.selects(t.key()) && visible.test(t.key()))
        .sorted(Comparator.comparing(Token::key, ORDER))
        .toList();
    for (Token token : sorted) {
      AccountState state = AccountState.of(token, policy, rotating.contains(token.key()), userGrant.test(token.key().provider()));
      if (!query.selects(state)) {
        continue;
      }
      if (rows.size() == query.limit()) {
        more = true;
        break;
      }
      rows.add(row(token, state, policy.now()));
      last = token.key();
    }
    return new Page(rows, more ? AccountQuery.cursorAfter(last) : null);
  }

  /** The list's row of one account: no access or refresh token, only times, counts and the last error. */
  static JsonObject row(Token t, AccountState state, Instant now) {
    return new JsonObject()
        .put("provider", t.key().provider())
        .put("account", t.key().account())
        .put("state", state.wireName())
        .put("version", t.version())
        .put("scope", t.scope())
        .put("issued_at", t.issuedAt().getEpochSecond())
        .put("expires_at", t.expiresAt().getEpochSecond())
        .put("expires_in", Math.max(0, t.expiresAt().getEpochSecond() - now.getEpochSecond()))
        .put("refresh_expires_at", t.refreshExpiresAt() == null ? null : t.refreshExpiresAt().getEpochSecond())
        .put("last_error", t.lastError())
        .put("failures", t.failures())
        .put("retry_at", t.retryAt() == null ? null : t.retryAt().getEpochSecond());
  }
}
