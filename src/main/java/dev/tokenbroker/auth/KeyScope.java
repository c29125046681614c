package dev.tokenbroker.auth;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one API key covers: its providers (empty: every provider), its accounts as glob patterns
 * (empty: every account) and its actions. Pure: it decides, the HTTP bridge and the SockJS bridge
 * refuse with 403 {@code forbidden} before anything happens.
 */
public record KeyScope(Optional<Set<String>> providers, Optional<List<AccountGlob>> accounts, Set<KeyAction> actions) {
  public KeyScope {
    providers = providers.map(Set::copyOf);
    accounts = accounts.map(List::copyOf);
    actions = Set.copyOf(actions);
  }

  /** Every provider, every account, the given actions. */
  public static KeyScope unrestricted(Set<KeyAction> actions) {
    return new KeyScope(Optional.empty(), Optional.empty(), actions);
  }

  public boolean allows(KeyAction action) {
    return actions.contains(action);
  }

  public boolean coversProvider(String provider) {
    return providers.map(p -> provider != null && p.contains(provider)).orElse(true);
  }

  public boolean coversAccount(String account) {
    return accounts.map(globs -> globs.stream().anyMatch(g -> g.matches(account))).orElse(true);
  }

  /** Both the provider and the account are in scope (what an event needs to be delivered). */
  public boolean covers(String provider, String account) {
    return coversProvider(provider) && coversAccount(account);
  }

  /** Why the key may not do {@code action} at all, or empty when it may. */
  public Optional<String> refusal(KeyAction action) {
    return allows(action) ? Optional.empty()
        : Optional.of("this API key's actions do not include " + action.configName());
  }

  /** Why the key may not do {@code action} to tokens of {@code provider}, or empty when it may. */
  public Optional<String> refusal(KeyAction action, String provider) {
    return refusal(action).or(() -> coversProvider(provider) ? Optional.empty()
        : Optional.of("this API key's providers do not include " + provider));
  }

  /**
   * Why the key may not do {@code action} to the token of {@code provider} and {@code account},
   * naming the part of the scope that does not cover it (actions, providers, accounts), or empty
   * when it may.
   */
  public Optional<String> refusal(KeyAction action, String provider, String account) {
    return refusal(action, provider).or(() -> coversAccount(account) ? Optional.empty()
        : Optional.of("this API key's accounts do not cover the account " + account));
  }
}
