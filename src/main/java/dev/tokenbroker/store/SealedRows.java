package dev.tokenbroker.store;

import dev.tokenbroker.token.TokenCodec;
import dev.tokenbroker.token.TokenKey;

/** Reads a stored row back into a token with the cipher; a row that cannot be read says why, without its content. */
final class SealedRows {
  private SealedRows() {
  }

  static TokenRepository.Row read(TokenCipher cipher, String id, String provider, String account, String keyId, String payload) {
    TokenKey key = new TokenKey(provider, account);
    try {
      return new TokenRepository.Row(key, TokenCodec.decode(cipher.open(id, keyId, payload)), null);
    } catch (TokenCipher.UnreadableTokenException e) {
      return new TokenRepository.Row(key, null, e.getMessage());
    } catch (RuntimeException e) {
      return new TokenRepository.Row(key, null, "its stored form is not a token (" + e.getClass().getSimpleName() + ")");
    }
  }
}
