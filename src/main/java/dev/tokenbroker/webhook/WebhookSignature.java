package dev.tokenbroker.webhook;

import dev.tokenbroker.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code Token-Broker-Signature: t=<timestamp>,v1=<hex>}: HMAC-SHA256, keyed with the webhook's
 * secret, of {@code <timestamp>.<body>} (timestamp in epoch seconds, body as sent, UTF-8). A
 * receiver recomputes it over the raw body, compares in constant time and refuses old timestamps
 * (replays).
 */
public final class WebhookSignature {
  public static final String HEADER = "Token-Broker-Signature";

  private WebhookSignature() {}

  public static String header(Secret secret, long timestamp, String body) {
    return "t=" + timestamp + ",v1=" + hmacHex(secret, timestamp + "." + body);
  }

  static String hmacHex(Secret secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
