package dev.tokenbroker.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.token.RefreshTiming;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenPolicy;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Filters, stable paging with opaque cursors, and rows without secrets. */
class AccountListTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TokenPolicy policy = new TokenPolicy(RefreshTiming.defaults(), clock, new Random(1));
  private final List<Token> tokens = new ArrayList<>();

  private void add(String provider, String account) {
    Instant now = clock.instant();
    tokens.add(new Token(new TokenKey(provider, account), Secret.of("secret-access-" + account), "Bearer", null, now,
        now.plusSeconds(3600), Secret.of("secret-refresh-" + account), null, 1, null, false, null));
  }

  private static AccountQuery query(String... pairs) {
    Map<String, List<String>> values = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.computeIfAbsent(pairs[i], k -> new ArrayList<>()).add(pairs[i + 1]);
    }
    return AccountQuery.parse(values, List.of("alpha", "beta"));
  }

  private AccountList.Page page(AccountQuery query) {
    return AccountList.page(tokens, query, key -> true, Set.of(), p -> false, policy);
  }

  private static List<String> ids(AccountList.Page page) {
    return page.accounts().stream().map(j -> j.getString("provider") + ":" + j.getString("account")).toList();
  }

  @Test
  void pagesFollowProviderThenAccountOrderWithoutRepeatsOrGapsWhileAccountsComeAndGo() {
    for (String a : List.of("c", "a", "e", "b", "d")) {
      add("beta", a);
      add("alpha", a);
    }
    AccountList.Page first = page(query("limit", "4"));
    assertEquals(List.of("alpha:a", "alpha:b", "alpha:c", "alpha:d"), ids(first));

    add("alpha", "a0"); // sorts before the cursor: not on a later page, and nothing shifts
    tokens.removeIf(t -> t.key().equals(new TokenKey("beta", "a")));
    AccountList.Page second = page(query("limit", "4", "cursor", first.nextCursor()));
    assertEquals(List.of("alpha:e", "beta:b", "beta:c", "beta:d"), ids(second));
    AccountList.Page last = page(query("limit", "4", "cursor", second.nextCursor()));
    assertEquals(List.of("beta:e"), ids(last));
    assertNull(last.nextCursor(), "the last page has no next cursor");
  }

  @Test
  void filtersByProviderAccountPatternAndState() {
    add("alpha", "acme-1");
    add("alpha", "acme-2");
    add("alpha", "other");
    add("beta", "acme-3");
    assertEquals(List.of("alpha:acme-1", "alpha:acme-2"), ids(page(query("provider", "alpha", "account", "acme-*"))));
    assertEquals(List.of("alpha:acme-1", "alpha:acme-2", "alpha:other", "beta:acme-3"), ids(page(query("provider", "alpha,beta"))));
    assertEquals(List.of("alpha:other"), ids(page(query("account", "other"))));

    Set<TokenKey> rotating = Set.of(new TokenKey("alpha", "acme-2"));
    AccountList.Page refreshing = AccountList.page(tokens, query("state", "refreshing"), key -> true, rotating, p -> false, policy);
    assertEquals(List.of("alpha:acme-2"), ids(refreshing));
    assertEquals("refreshing", refreshing.accounts().get(0).getString("state"));
    assertEquals(3, AccountList.page(tokens, query("state", "valid"), key -> true, rotating, p -> false, policy).accounts().size());
  }

  @Test
  void aKeyListsOnlyTheAccountsItsScopeCovers() {
    add("alpha", "acme-1");
    add("beta", "acme-1");
    AccountList.Page page = AccountList.page(tokens, query(), key -> key.provider().equals("beta"), Set.of(), p -> false, policy);
    assertEquals(List.of("beta:acme-1"), ids(page));
  }

  @Test
  void rowsCarryWhatAnOperatorNeedsAndNoSecret() {
    add("alpha", "acme-1");
    JsonObject row = page(query()).accounts().get(0);
    for (String field : List.of("provider", "account", "state", "version", "expires_at", "refresh_expires_at", "last_error",
        "retry_at", "failures")) {
      assertTrue(row.containsKey(field), field);
    }
    assertTrue(!row.encode().contains("secret-"), row.encode());
  }

  @Test
  void badValuesAreInvalidRequests() {
    for (String[] bad : List.of(new String[] {"limit", "0"}, new String[] {"limit", "1001"}, new String[] {"limit", "x"},
        new String[] {"state", "broken"}, new String[] {"provider", "gamma"}, new String[] {"cursor", "not-a-cursor"},
        new String[] {"cursor", AccountQuery.cursorAfter(new TokenKey("a", "b")).substring(2)}, new String[] {"account", "a/b"},
        new String[] {"state", ","})) {
      BrokerException e = assertThrows(BrokerException.class, () -> query(bad), String.join("=", bad));
      assertEquals(ErrorCode.INVALID_REQUEST, e.code(), String.join("=", bad));
    }
    assertThrows(BrokerException.class, () -> query("limit", "5", "limit", "6"), "a value given twice");
  }
}
