package dev.tokenbroker.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenResponseParserTest {
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  private static TokenResponse ok(String body) {
    return TokenResponseParser.parse("p", 200, null, Buffer.buffer(body), NOW);
  }

  private static BrokerException error(int status, String retryAfter, String body) {
    return assertThrows(BrokerException.class, () -> TokenResponseParser.parse("p", status, retryAfter, Buffer.buffer(body), NOW));
  }

  @Test
  void readsTheEsignGlobalExampleWithLowerCaseBearer() {
    TokenResponse r = ok("{\"access_token\":\"eyJhbG\",\"expires_in\":86398,\"scope\":\"read-write\",\"token_type\":\"bearer\"}");
    assertEquals("eyJhbG", r.accessToken().reveal());
    assertEquals(86398L, r.expiresIn());
    assertEquals("read-write", r.scope());
    assertNull(r.refreshToken());
  }

  @Test
  void readsTheRightSignatureExampleAndIgnoresCreatedAt() {
    TokenResponse r = ok("{\"access_token\":\"A\",\"token_type\":\"bearer\",\"expires_in\":7200,\"refresh_token\":\"R\","
        + "\"scope\":\"read\",\"created_at\":1711670417,\"unknown\":{\"x\":1}}");
    assertEquals("R", r.refreshToken().reveal());
    assertEquals(7200L, r.expiresIn());
  }

  @Test
  void toleratesMissingOrStringExpiresIn() {
    assertNull(ok("{\"access_token\":\"A\"}").expiresIn());
    assertEquals(3600L, ok("{\"access_token\":\"A\",\"expires_in\":\"3600\"}").expiresIn());
  }

  @Test
  void refusesGarbageAsProviderError() {
    assertEquals(ErrorCode.PROVIDER_ERROR, error(200, null, "<html>oops</html>").code());
    assertEquals(ErrorCode.PROVIDER_ERROR, error(200, null, "{\"token_type\":\"bearer\"}").code());
    assertEquals(ErrorCode.PROVIDER_ERROR, error(200, null, "{\"access_token\":\"A\",\"expires_in\":-5}").code());
    assertEquals(ErrorCode.PROVIDER_ERROR, error(200, null, "{\"access_token\":\"A\",\"token_type\":\"mac\"}").code());
    assertEquals(ErrorCode.PROVIDER_ERROR, error(503, null, "Service Unavailable").code());
  }

  @Test
  void invalidGrantAtAnyStatusMeansAuthorizationRequired() {
    BrokerException e = error(403, null, "{\"error\":\"invalid_grant\",\"error_description\":\"The provided authorization grant is invalid\"}");
    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, e.code());
    assertTrue(e.getMessage().contains("invalid_grant"));
  }

  @Test
  void otherOAuthErrorsNameTheError() {
    BrokerException e = error(401, null, "{\"error\":\"invalid_client\"}");
    assertEquals(ErrorCode.PROVIDER_ERROR, e.code());
    assertTrue(e.getMessage().contains("invalid_client"), e.getMessage());
  }

  @Test
  void rateLimitCarriesRetryAfterInSecondsOrAsADate() {
    assertEquals(17L, error(429, "17", "").retryAfterSeconds());
    assertEquals(120L, error(429, "Mon, 23 Nov 2026 10:02:00 GMT", "").retryAfterSeconds());
    assertEquals(ErrorCode.RATE_LIMITED, error(429, null, "{\"error\":\"slow_down\"}").code());
  }

  @Test
  void errorMessagesNeverQuoteTheBody() {
    BrokerException e = error(200, null, "{\"refresh_token\":\"SECRET-RT\",\"message\":\"no token for you\"}");
    assertFalse(e.getMessage().contains("SECRET-RT"), e.getMessage());
  }
}
