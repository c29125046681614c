package dev.tokenbroker.token;

import dev.tokenbroker.error.BrokerException;

/** Identifies a token: provider plus account. Validated on construction. */
public record TokenKey(String provider, String account) {
  public static final String DEFAULT_ACCOUNT = "default";

  public TokenKey {
    if (!isValidAccount(account)) {
      throw BrokerException.invalidRequest(
          "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63} (letters, digits, '.', '_', '-'; at most 64)");
    }
  }

  /** {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}, checked without a regular expression: it runs on every request. */
  public static boolean isValidAccount(String account) {
    if (account == null || account.isEmpty() || account.length() > 64 || !isLetterOrDigit(account.charAt(0))) {
      return false;
    }
    for (int i = 1; i < account.length(); i++) {
      char c = account.charAt(i);
      if (!isLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** The key in the shared map; ':' cannot occur in either part. */
  public String id() {
    return provider + ":" + account;
  }

  public static TokenKey fromId(String id) {
    int i = id.indexOf(':');
    return new TokenKey(id.substring(0, i), id.substring(i + 1));
  }

  @Override
  public String toString() {
    return id();
  }
}
