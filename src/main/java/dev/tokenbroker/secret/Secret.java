package dev.tokenbroker.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A secret value (client secret, access token, refresh token). Its {@link #toString()} is
 * redacted so it cannot reach a log line by accident; {@link #fingerprint()} is safe to log.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** Null-tolerant factory for optional secrets. */
  public static Secret ofNullable(String value) {
    return value == null ? null : new Secret(value);
  }

  /** The secret itself: only for the wire to the provider, the store and the token reply. */
  public String reveal() {
    return value;
  }

  /** First 8 hex digits of the SHA-256 of the value: enough to correlate, useless to attack. */
  public String fingerprint() {
    return sha256Hex(value).substring(0, 8);
  }

  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text));
  }

  /** SHA-256 of the text's UTF-8 bytes; copies a ready digest rather than looking the algorithm up each time. */
  public static byte[] sha256(String text) {
    try {
      return ((MessageDigest) SHA_256.clone()).digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JVM's SHA-256 cannot be copied", e);
    }
  }

  private static final MessageDigest SHA_256 = newSha256();

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), s.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Secret[" + fingerprint() + "]";
  }
}
