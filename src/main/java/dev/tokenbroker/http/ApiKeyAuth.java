package dev.tokenbroker.http;

import dev.tokenbroker.auth.ApiKey;
import dev.tokenbroker.secret.Secret;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <api key>} against the configured SHA-256 digests and says
 * which key it is. The presented key is hashed and compared with every digest in constant time
 * (no early exit, the match remembered by arithmetic rather than a branch), so neither timing nor
 * the number or order of keys tells an attacker anything. Digests are unique (the configuration
 * refuses a key listed twice), so at most one matches.
 */
public final class ApiKeyAuth {
  private final List<ApiKey> keys;
  private final List<byte[]> digests;

  public ApiKeyAuth(List<ApiKey> keys) {
    this.keys = List.copyOf(keys);
    this.digests = this.keys.stream().map(k -> HexFormat.of().parseHex(k.sha256())).toList();
  }

  /** The key the header carries, or empty when it carries none that is accepted. */
  public Optional<ApiKey> authenticate(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() < 8
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String key = authorizationHeader.substring(7).trim();
    if (key.isEmpty()) {
      return Optional.empty();
    }
    byte[] presented = Secret.sha256(key);
    int matched = 0; // 1 + the index of the matching digest, 0 for none
    for (int i = 0; i < digests.size(); i++) {
      int equal = MessageDigest.isEqual(presented, digests.get(i)) ? 1 : 0;
      matched |= equal * (i + 1);
    }
    return matched == 0 ? Optional.empty() : Optional.of(keys.get(matched - 1));
  }

  public boolean hasKeys() {
    return !digests.isEmpty();
  }
}
