package dev.tokenbroker.http;

import dev.tokenbroker.wire.TokenReplies;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP token reply's bytes, encoded once per token and {@code expires_in} value instead of once
 * per request: the reply changes only when the token does (a rotation or a recorded failure
 * replaces the stored {@link Token}) and when {@code expires_in} ticks. One per HTTP verticle instance, so it
 * is only ever used from that instance's event loop; bounded, least recently used first out.
 * It holds nothing the node does not already hold: the tokens are in the node's local copy.
 */
final class ReplyBodies {
  static final int MAX_ENTRIES = 4096;

  private record Encoded(Token token, long expiresIn, Buffer body) {}

  private final Map<TokenKey, Encoded> bodies = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<TokenKey, Encoded> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** The reply for {@code token} as of {@code now}, byte for byte what encoding {@link TokenReplies#reply} gives. */
  Buffer body(Token token, Instant now) {
    long expiresIn = TokenReplies.expiresIn(token, now);
    Encoded encoded = bodies.get(token.key());
    if (encoded == null || encoded.token() != token || encoded.expiresIn() != expiresIn) {
      encoded = new Encoded(token, expiresIn, TokenReplies.reply(token, now).toBuffer());
      bodies.put(token.key(), encoded);
    }
    return encoded.body();
  }

  int size() {
    return bodies.size();
  }
}
