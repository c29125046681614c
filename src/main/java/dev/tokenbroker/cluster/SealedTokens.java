package dev.tokenbroker.cluster;

import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenCodec;

/**
 * How a token is stored in the shared token map: {@code v<version>:<sealed JSON>}. The version
 * stays readable so that compare-and-set ({@link HazelcastTokenStore}) and the merge rule
 * ({@link HigherVersionMergePolicy}) work where the entry lives without the cluster key; the
 * token itself is sealed with the cluster key and bound to its map key.
 */
final class SealedTokens {
  private SealedTokens() {}

  static String encode(SealedBox box, Token token) {
    return "v" + token.version() + ":" + box.seal(context(token.key().id()), TokenCodec.encode(token));
  }

  static Token decode(SealedBox box, String id, String value) {
    int colon = value.indexOf(':');
    if (!value.startsWith("v") || colon < 0) {
      throw new SealedBox.UnreadableException("not a token map value");
    }
    return TokenCodec.decode(box.open(context(id), value.substring(colon + 1)));
  }

  /** The version of a stored value (0 for none); -1 when the value is not one this broker wrote. */
  static long versionOf(String value) {
    if (value == null) {
      return 0;
    }
    int colon = value.indexOf(':');
    if (!value.startsWith("v") || colon < 2) {
      return -1;
    }
    try {
      return Long.parseLong(value.substring(1, colon));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String context(String id) {
    return MapNames.TOKENS + "/" + id;
  }
}
