package dev.tokenbroker.auth;

import java.util.regex.Pattern;

/**
 * An account pattern of an API key's scope, such as {@code acme-*}: {@code *} matches any run of
 * characters (also none), {@code ?} exactly one, everything else itself; the pattern must match
 * the whole account name. Built only from account characters and the two wildcards, so there is
 * nothing to escape and no regular expression to get wrong.
 */
public final class AccountGlob {
  private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9._*?-]{1,64}");

  private final String pattern;

  private AccountGlob(String pattern) {
    this.pattern = pattern;
  }

  /** The pattern, or IllegalArgumentException when it holds anything but account characters and wildcards. */
  public static AccountGlob of(String pattern) {
    if (pattern == null || !SYNTAX.matcher(pattern).matches()) {
      throw new IllegalArgumentException("bad pattern '" + pattern + "' (1 to 64 of letters, digits, '.', '_', '-' and the wildcards * and ?)");
    }
    return new AccountGlob(pattern);
  }

  /** True when the whole of {@code account} matches. */
  public boolean matches(String account) {
    if (account == null) {
      return false;
    }
    // iterative wildcard matching: on a mismatch, let the last '*' swallow one more character
    int p = 0;
    int a = 0;
    int star = -1;
    int resume = 0;
    while (a < account.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = a;
      } else if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == account.charAt(a))) {
        p++;
        a++;
      } else if (star >= 0) {
        p = star + 1;
        a = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  public String pattern() {
    return pattern;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountGlob g && g.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
