package dev.tokenbroker.token;

import dev.tokenbroker.error.BrokerException;
import java.util.regex.Pattern;

/** Identifies a token: provider plus account. Validated on construction. */
public record TokenKey(String provider, String account) {
  public static final String DEFAULT_ACCOUNT = "default";
  private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public TokenKey {
    if (account == null || !ACCOUNT.matcher(account).matches()) {
      throw BrokerException.invalidRequest(
          "account must match [A-Za-z0-9][A-Za-z0-9._-]{0,63} (letters, digits, '.', '_', '-'; at most 64)");
    }
  }

  public static boolean isValidAccount(String account) {
    return account != null && ACCOUNT.matcher(account).matches();
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
