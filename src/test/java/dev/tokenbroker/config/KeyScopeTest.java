package dev.tokenbroker.config;

import dev.tokenbroker.auth.AccountGlob;
import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.auth.KeyScope;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure rules of an API key's scope: account patterns and which part refuses. */
class KeyScopeTest {

  @Test
  void starMatchesAnyRunAndQuestionMarkExactlyOneCharacterOfTheWholeName() {
    AccountGlob acme = AccountGlob.of("acme-*");
    assertTrue(acme.matches("acme-"));
    assertTrue(acme.matches("acme-1"));
    assertTrue(acme.matches("acme-east.prod"));
    assertFalse(acme.matches("xacme-1"), "the pattern covers the whole name, not a part of it");
    assertFalse(acme.matches("acme"));

    AccountGlob team = AccountGlob.of("team-?");
    assertTrue(team.matches("team-1"));
    assertFalse(team.matches("team-12"));
    assertFalse(team.matches("team-"));

    AccountGlob middle = AccountGlob.of("*-prod-*");
    assertTrue(middle.matches("a-prod-b"));
    assertTrue(middle.matches("a-prod-prod-"));
    assertFalse(middle.matches("a-pro-b"));
    assertTrue(AccountGlob.of("*").matches("anything"));
    assertTrue(AccountGlob.of("exact").matches("exact"));
    assertFalse(AccountGlob.of("exact").matches("exactly"));
  }

  @Test
  void patternsHoldOnlyAccountCharactersAndWildcards() {
    for (String bad : new String[] {"", "acme/*", "acme[0-9]", "a b", "x".repeat(65)}) {
      assertThrows(IllegalArgumentException.class, () -> AccountGlob.of(bad), bad);
    }
  }

  @Test
  void aRefusalNamesActionsThenProvidersThenAccounts() {
    KeyScope scope = new KeyScope(Optional.of(Set.of("esignglobal")), Optional.of(List.of(AccountGlob.of("acme-*"))),
        Set.of(KeyAction.READ));
    assertEquals(Optional.of("this API key's actions do not include refresh"), scope.refusal(KeyAction.REFRESH, "other", "x"));
    assertEquals(Optional.of("this API key's providers do not include other"), scope.refusal(KeyAction.READ, "other", "x"));
    assertEquals(Optional.of("this API key's accounts do not cover the account x"), scope.refusal(KeyAction.READ, "esignglobal", "x"));
    assertEquals(Optional.empty(), scope.refusal(KeyAction.READ, "esignglobal", "acme-1"));
  }

  @Test
  void anUnrestrictedScopeCoversEveryProviderAndAccount() {
    KeyScope scope = KeyScope.unrestricted(KeyAction.DEFAULTS);
    assertTrue(scope.covers("anything", "any-account"));
    assertFalse(scope.allows(KeyAction.ADMIN));
    assertTrue(KeyScope.unrestricted(KeyAction.ALL).allows(KeyAction.ADMIN));
  }
}
