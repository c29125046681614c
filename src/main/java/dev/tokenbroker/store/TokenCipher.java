package dev.tokenbroker.store;

import dev.tokenbroker.secret.AesGcm;
import dev.tokenbroker.secret.KeyRing;
import dev.tokenbroker.secret.Secret;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for tokens at rest. Writes use the current key; reads accept the current and any
 * old key, found by the key id stored with each row (the first 8 hex digits of the key's
 * SHA-256), so keys can be rotated. {@link #NONE} stores plain text, only when configured so.
 */
public final class TokenCipher {
  public static final String NONE_ID = "none";
  public static final TokenCipher NONE = new TokenCipher(KeyRing.EMPTY);

  private final KeyRing keys;

  private TokenCipher(KeyRing keys) {
    this.keys = keys;
  }

  /** @param current base64 of 32 bytes; @param old earlier keys still accepted for reading */
  public static TokenCipher aesGcm(Secret current, List<Secret> old) {
    return new TokenCipher(KeyRing.of(current, old));
  }

  public String currentKeyId() {
    return keys.currentId() == null ? NONE_ID : keys.currentId();
  }

  /** The stored form: base64(nonce || ciphertext+tag), bound to the row id as associated data. */
  public String seal(String rowId, String plaintext) {
    return keys.currentId() == null ? plaintext : AesGcm.seal(keys.current(), rowId, plaintext);
  }

  /** Opens a stored value; throws {@link UnreadableTokenException} for a missing key or tampered data. */
  public String open(String rowId, String keyId, String stored) {
    if (NONE_ID.equals(keyId)) {
      return stored;
    }
    SecretKeySpec key = keys.key(keyId);
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
