package dev.tokenbroker.http;

import dev.tokenbroker.config.ApiKey;
import dev.tokenbroker.secret.Secret;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <api key>} against the configured SHA-256 digests. The
 * presented key is hashed and compared with every digest in constant time, so neither timing
 * nor the number of keys tells an attacker anything.
 */
public final class ApiKeyAuth {
  private final List<byte[]> digests;

  public ApiKeyAuth(List<ApiKey> keys) {
    this.digests = keys.stream().map(k -> HexFormat.of().parseHex(k.sha256())).toList();
  }

  /** True when the header carries an accepted key. */
  public boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() < 8
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    String key = authorizationHeader.substring(7).trim();
    if (key.isEmpty()) {
      return false;
    }
    byte[] presented = HexFormat.of().parseHex(Secret.sha256Hex(key));
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(presented, digest);
    }
    return match;
  }

  public boolean hasKeys() {
    return !digests.isEmpty();
  }

}
