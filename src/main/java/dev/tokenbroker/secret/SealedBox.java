package dev.tokenbroker.secret;

import java.util.List;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for values that leave the process (the cluster's shared maps): {@code seal} binds
 * each value to a context (its map and key) as associated data, so a sealed value copied to
 * another key does not open. Sealed text is {@code <key id>.<base64 of nonce and ciphertext>};
 * earlier keys still open what they sealed (key rotation). {@link #NONE} passes text through,
 * for {@code encryption: none}. Thread-safe.
 */
public final class SealedBox {
  public static final SealedBox NONE = new SealedBox(KeyRing.EMPTY);

  private final KeyRing keys;

  private SealedBox(KeyRing keys) {
    this.keys = keys;
  }

  /** @param current base64 of 32 bytes; @param old earlier keys, accepted for opening only */
  public static SealedBox aesGcm(Secret current, List<Secret> old) {
    return new SealedBox(KeyRing.of(current, old));
  }

  public boolean encrypts() {
    return keys.currentId() != null;
  }

  public String seal(String context, String plaintext) {
    if (!encrypts()) {
      return plaintext;
    }
    return keys.currentId() + "." + AesGcm.seal(keys.current(), context, plaintext);
  }

  /** The plaintext; {@link UnreadableException} (never with key material) when no key opens it here. */
  public String open(String context, String sealed) {
    if (!encrypts()) {
      return sealed;
    }
    int dot = sealed.indexOf('.');
    SecretKeySpec key = dot > 0 ? keys.key(sealed.substring(0, dot)) : null;
    if (key == null) {
      throw new UnreadableException(dot > 0
          ? "sealed with key " + sealed.substring(0, dot) + ", which this node does not have"
          : "not sealed (written without encryption)");
    }
    String plaintext = AesGcm.open(key, context, sealed.substring(dot + 1));
    if (plaintext == null) {
      throw new UnreadableException("does not open with key " + sealed.substring(0, dot) + " (tampered, or moved to another key)");
    }
    return plaintext;
  }

  /** A value that cannot be opened here. */
  public static final class UnreadableException extends RuntimeException {
    public UnreadableException(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public String toString() {
    return encrypts() ? "SealedBox[aes-gcm " + keys.currentId() + ", " + keys.size() + " key(s)]" : "SealedBox[none]";
  }
}
