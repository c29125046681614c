package dev.tokenbroker.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.token.TokenKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** At most one rejected version per token per 30 s; callers of the same version share it. */
class RejectionBudgetTest {
  private static final TokenKey KEY = new TokenKey("esignglobal", "default");
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void reportsTheFirstRejection() {
    assertTrue(new RejectionBudget().mayReport(KEY, 1, T0));
  }

  @Test
  void callersRejectedWithTheSameVersionShareTheReport() {
    RejectionBudget budget = new RejectionBudget();
    assertTrue(budget.mayReport(KEY, 1, T0));
    assertTrue(budget.mayReport(KEY, 1, T0.plusSeconds(1)));
    assertTrue(budget.mayReport(KEY, 0, T0.plusSeconds(1)));
  }

  @Test
  void aNewerVersionIsNotReportedWithinThirtySeconds() {
    RejectionBudget budget = new RejectionBudget();
    assertTrue(budget.mayReport(KEY, 1, T0));
    assertFalse(budget.mayReport(KEY, 2, T0.plusSeconds(29)));
    assertTrue(budget.mayReport(KEY, 2, T0.plusSeconds(30)));
    assertFalse(budget.mayReport(KEY, 3, T0.plusSeconds(31)));
  }

  @Test
  void tokensHaveTheirOwnBudgets() {
    RejectionBudget budget = new RejectionBudget();
    assertTrue(budget.mayReport(KEY, 1, T0));
    assertTrue(budget.mayReport(new TokenKey("esignglobal", "acme"), 5, T0));
  }
}
