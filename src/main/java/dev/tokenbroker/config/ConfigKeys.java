package dev.tokenbroker.config;

import java.util.Collection;
import java.util.Locale;

/** What to say about a key no section knows: the closest known key when it is a likely misspelling. */
final class ConfigKeys {
  private ConfigKeys() {}

  /** {@code unknown key; did you mean skew-seconds?}, or the known keys when none is close. */
  static String unknown(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(normal(name), normal(candidate));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best != null && close(name, best)) {
      return "unknown key; did you mean " + best + "?";
    }
    return known.isEmpty() ? "unknown key; this section has no keys" : "unknown key; known keys here: " + String.join(", ", known);
  }

  /**
   * A likely misspelling: the same key but for case and {@code _}/{@code -}, or a few edits (a
   * transposition counts as one): at most a third of the shorter key's length, at least one, at most three.
   */
  static boolean close(String a, String b) {
    String x = normal(a);
    String y = normal(b);
    return distance(x, y) <= Math.max(1, Math.min(3, Math.min(x.length(), y.length()) / 3));
  }

  private static String normal(String key) {
    return key.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
