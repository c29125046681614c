package dev.tokenbroker.secret;

import java.util.Base64;

/** An AES-256 key given as base64 of 32 bytes (configuration and environment), and its short public id. */
public final class AesKey {
  private AesKey() {}

  /** The key's bytes; IllegalArgumentException (message without the key) when it is not base64 of 32 bytes. */
  public static byte[] decode(Secret key) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(key.reveal().trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not base64");
    }
    if (bytes.length != 32) {
      throw new IllegalArgumentException("must be 32 bytes (base64 of 32 random bytes), got " + bytes.length);
    }
    return bytes;
  }

  /** The id a key gets (a digest prefix, safe to store beside what it encrypts); validates the key. */
  public static String id(Secret key) {
    decode(key);
    return Secret.sha256Hex(key.reveal().trim()).substring(0, 8);
  }
}
