package dev.tokenbroker.store;

import dev.tokenbroker.secret.AesGcm;
import dev.tokenbroker.secret.AesKey;
import dev.tokenbroker.secret.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for tokens at rest. Writes use the current key; reads accept the current and any
 * old key, found by the key id stored with each row (the first 8 hex digits of the key's
 * SHA-256), so keys can be rotated. {@link #NONE} stores plain text, only when configured so.
 */
public final class TokenCipher {
  public static final String NONE_ID = "none";
  public static final TokenCipher NONE = new TokenCipher(null, Map.of());

  private final String currentId;
  private final Map<String, SecretKeySpec> keys;

  private TokenCipher(String currentId, Map<String, SecretKeySpec> keys) {
    this.currentId = currentId;
    this.keys = keys;
  }

  /** @param current base64 of 32 bytes; @param old earlier keys still accepted for reading */
  public static TokenCipher aesGcm(Secret current, List<Secret> old) {
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    String currentId = add(keys, current);
    for (Secret k : old) {
      add(keys, k);
    }
    return new TokenCipher(currentId, keys);
  }

  /** The id a base64 key gets; throws IllegalArgumentException when it is not 32 bytes of base64. */
  public static String keyId(Secret key) {
    return AesKey.id(key);
  }

  private static String add(Map<String, SecretKeySpec> keys, Secret key) {
    String id = keyId(key);
    keys.put(id, new SecretKeySpec(decode(key), "AES"));
    return id;
  }

  private static byte[] decode(Secret key) {
    return AesKey.decode(key);
  }

  public String currentKeyId() {
    return currentId == null ? NONE_ID : currentId;
  }

  /** The stored form: base64(nonce || ciphertext+tag), bound to the row id as associated data. */
  public String seal(String rowId, String plaintext) {
    return currentId == null ? plaintext : AesGcm.seal(keys.get(currentId), rowId, plaintext);
  }

  /** Opens a stored value; throws {@link UnreadableTokenException} for a missing key or tampered data. */
  public String open(String rowId, String keyId, String stored) {
    if (NONE_ID.equals(keyId)) {
      return stored;
    }
    SecretKeySpec key = keys.get(keyId);
    if (key == null) {
      throw new UnreadableTokenException("it is encrypted with key id " + keyId + ", which is not configured "
          + "(TOKEN_BROKER_ENCRYPTION_KEY or TOKEN_BROKER_ENCRYPTION_OLD_KEYS)");
    }
    String plaintext = AesGcm.open(key, rowId, stored);
    if (plaintext == null) {
      throw new UnreadableTokenException("it does not decrypt with key id " + keyId + " (tampered or corrupted)");
    }
    return plaintext;
  }

  /** A stored token that cannot be read; the message never contains token material. */
  public static final class UnreadableTokenException extends RuntimeException {
    UnreadableTokenException(String why) {
      super(why, null, false, false);
    }
  }
}
