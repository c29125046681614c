package dev.tokenbroker.service;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * The configured providers, and which accounts each serves: the lookups every entrance does before
 * anything else, with the contract's 404s. Immutable.
 */
public final class ProviderCatalog {
  private final Map<String, ProviderSpec> providers;

  public ProviderCatalog(Map<String, ProviderSpec> providers) {
    this.providers = Map.copyOf(providers);
  }

  /** The names of the configured providers. */
  public Set<String> names() {
    return providers.keySet();
  }

  /** Every configured provider. */
  public Collection<ProviderSpec> all() {
    return providers.values();
  }

  /** The provider's spec; 404 unknown_provider when it is not configured. */
  public ProviderSpec provider(String name) {
    ProviderSpec spec = providers.get(name);
    if (spec == null) {
      throw new BrokerException(ErrorCode.UNKNOWN_PROVIDER, "no provider named '" + name + "' is configured");
    }
    return spec;
  }

  /**
   * The provider's spec as the key's account talks to it (its own client credentials); 404
   * unknown_provider, or 404 unknown_account for an account a client_credentials provider does
   * not list under {@code providers.<p>.accounts}.
   */
  public ProviderSpec spec(TokenKey key) {
    return provider(key.provider()).forAccount(key.account()).orElseThrow(() -> unknownAccount(key));
  }

  /** {@link #spec} as a future: failed with the 404 instead of throwing it. */
  public Future<ProviderSpec> lookUp(TokenKey key) {
    try {
      return Future.succeededFuture(spec(key));
    } catch (BrokerException e) {
      return Future.failedFuture(e);
    }
  }

  /** 404 unknown_provider or unknown_account like {@link #spec}, without building the account's spec (hot paths). */
  public void checkAccount(TokenKey key) {
    if (!provider(key.provider()).serves(key.account())) {
      throw unknownAccount(key);
    }
  }

  private static BrokerException unknownAccount(TokenKey key) {
    return new BrokerException(ErrorCode.UNKNOWN_ACCOUNT, "provider '" + key.provider() + "' has no account '"
        + key.account() + "' (configure it under providers." + key.provider() + ".accounts)");
  }
}
