package dev.tokenbroker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy's target URL is the API base plus the caller's path, as written, or nothing at all. */
class ProxyPathTest {
  private static final String BASE = "https://api.example.com/public/v1";

  @Test
  void appendsThePathAndKeepsTheQueryUnchanged() {
    assertEquals(BASE + "/documents/123?b=2&a=1%20x&a=3",
        ProxyPath.target(BASE, "documents/123", "b=2&a=1%20x&a=3"));
  }

  @Test
  void keepsEncodedCharactersAsTheCallerWroteThem() {
    assertEquals(BASE + "/files/a%20b.pdf", ProxyPath.target(BASE, "files/a%20b.pdf", null));
  }

  @Test
  void allowsATrailingSlash() {
    assertEquals(BASE + "/documents/", ProxyPath.target(BASE, "documents/", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "..", "a/../b", "a/..", "./a", "a/./b", "%2e%2e/x", "a/%2E%2E/b", ".%2e/x", "%252e%252e/x",
      "a//b", "/a", "//evil.example.com/x", "a%2fb", "a%2Fb", "a%5cb", "a\\b", "a%00b", "a%0d%0aX-Injected:%201",
      "a\u0001b", "http://evil.example.com/x", "https:%2f%2fevil.example.com", "javascript:alert(1)", "a/http%3A//x",
      "a#b", "a%zz", "caf\u00e9"})
  void refusesAPathThatCouldLeaveTheApiBase(String path) {
    BrokerException e = assertThrows(BrokerException.class, () -> ProxyPath.target(BASE, path, null));
    assertEquals(ErrorCode.INVALID_REQUEST, e.code());
  }

  @Test
  void theOneScanLaneAgreesWithTheFullCheckOnRandomPathsAndQueries() {
    ApiBase base = ApiBase.parse(BASE);
    String alphabet = "aZ09-._~/%2fFeE5c:?#@!$&'()*+,;= \\[]\u0001\u00e9";
    java.util.Random random = new java.util.Random(13);
    int plain = 0;
    for (int i = 0; i < 50_000; i++) {
      String path = randomString(random, alphabet, 1 + random.nextInt(12));
      String query = random.nextInt(3) == 0 ? null : randomString(random, alphabet, random.nextInt(10));
      String full = outcome(() -> ProxyPath.checkedRequestUri(base, path, query));
      assertEquals(full, outcome(() -> ProxyPath.requestUri(base, path, query)), path + " ? " + query);
      if (ProxyPath.isPlain(path) && ProxyPath.isPlainQuery(query)) {
        plain++;
        assertEquals(true, full.startsWith("/public/v1/"), path + " ? " + query);
      }
    }
    assertEquals(true, plain > 1000, "the random inputs exercise the one-scan lane: " + plain);
  }

  @Test
  void anApiBaseIsTakenApartOnce() {
    assertEquals(new ApiBase(BASE, true, "api.example.com", 443, "/public/v1"), ApiBase.parse(BASE));
    assertEquals(new ApiBase("http://127.0.0.1:8080", false, "127.0.0.1", 8080, ""), ApiBase.parse("http://127.0.0.1:8080"));
    assertEquals("/documents/1", ProxyPath.requestUri(ApiBase.parse("http://127.0.0.1:8080"), "documents/1", null));
  }

  private static String randomString(java.util.Random random, String alphabet, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /** The request URI, or "refused" when the path is. */
  private static String outcome(java.util.function.Supplier<String> uri) {
    try {
      return uri.get();
    } catch (BrokerException e) {
      assertEquals(ErrorCode.INVALID_REQUEST, e.code());
      return "refused";
    }
  }
}
