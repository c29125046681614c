package dev.tokenbroker.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.error.BrokerException;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The account rule is checked by hand on the hit path; it must say exactly what the contract's pattern says. */
class TokenKeyTest {
  private static final Pattern CONTRACT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  @Test
  void accountCheckAgreesWithTheContractsPatternOnEdgesAndRandomStrings() {
    String[] edges = {"", "a", "default", "A.b_c-d", ".a", "-a", "_a", "a b", "a/b", "a:b", "é", "a\u0000", "a".repeat(64),
        "a".repeat(65), "0", "9z", "Z~"};
    for (String s : edges) {
      assertEquals(CONTRACT.matcher(s).matches(), TokenKey.isValidAccount(s), "'" + s + "'");
    }
    Random random = new Random(7);
    String alphabet = "aZ09._-:/ \u00e9\u0000~";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(70);
      for (int j = 0; j < length; j++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = b.toString();
      assertEquals(CONTRACT.matcher(s).matches(), TokenKey.isValidAccount(s), "'" + s + "'");
    }
    assertFalse(TokenKey.isValidAccount(null));
  }

  @Test
  void aKeyWithABadAccountCannotBeMade() {
    assertThrows(BrokerException.class, () -> new TokenKey("esignglobal", "a/b"));
    assertTrue(new TokenKey("esignglobal", "acme-1").id().equals("esignglobal:acme-1"));
  }
}
