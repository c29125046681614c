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
}
