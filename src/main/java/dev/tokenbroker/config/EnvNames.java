package dev.tokenbroker.config;

import java.util.Locale;

/**
 * The environment variables that carry a provider's or an account's client credentials:
 * {@code TOKEN_BROKER_<PROVIDER>} and {@code TOKEN_BROKER_<PROVIDER>_<ACCOUNT>}, followed by
 * {@code _CLIENT_ID} or {@code _CLIENT_SECRET}; names upper-cased, {@code -} and {@code .} as {@code _}.
 */
public final class EnvNames {
  private EnvNames() {}

  /** {@code TOKEN_BROKER_ESIGNGLOBAL} for provider {@code esignglobal}. */
  public static String provider(String provider) {
    return "TOKEN_BROKER_" + part(provider);
  }

  /** {@code TOKEN_BROKER_ESIGNGLOBAL_ACME_EU} for account {@code acme.eu} of provider {@code esignglobal}. */
  public static String account(String provider, String account) {
    return provider(provider) + "_" + part(account);
  }

  private static String part(String name) {
    return name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
  }
}
