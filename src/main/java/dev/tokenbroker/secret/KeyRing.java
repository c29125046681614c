package dev.tokenbroker.secret;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256 keys by id (see {@link AesKey#id}): the current one, which encrypts, and earlier ones
 * still accepted for decrypting, so keys can be rotated. {@link #EMPTY} has none (no encryption).
 */
public final class KeyRing {
  public static final KeyRing EMPTY = new KeyRing(null, Map.of());

  private final String currentId;
  private final Map<String, SecretKeySpec> keys;

  private KeyRing(String currentId, Map<String, SecretKeySpec> keys) {
    this.currentId = currentId;
    this.keys = keys;
  }

  /** @param current base64 of 32 bytes; @param old earlier keys, for decrypting only */
  public static KeyRing of(Secret current, List<Secret> old) {
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    String id = AesKey.id(current);
    keys.put(id, new SecretKeySpec(AesKey.decode(current), "AES"));
    for (Secret k : old) {
      keys.putIfAbsent(AesKey.id(k), new SecretKeySpec(AesKey.decode(k), "AES"));
    }
    return new KeyRing(id, Map.copyOf(keys));
  }

  /** The id of the key that encrypts, or null for {@link #EMPTY}. */
  public String currentId() {
    return currentId;
  }

  public SecretKeySpec current() {
    return keys.get(currentId);
  }

  /** The key with this id, or null when the ring does not have it. */
  public SecretKeySpec key(String id) {
    return keys.get(id);
  }

  public int size() {
    return keys.size();
  }
}
