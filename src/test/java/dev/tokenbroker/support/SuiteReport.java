package dev.tokenbroker.support;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Counters the reliability tests really keep, printed as one line when the test run ends:
 * {@code faults tried 30, contract errors 30, served valid token through 30, tokens lost 0, ...}.
 */
public final class SuiteReport {
  public static final AtomicInteger FAULTS_TRIED = new AtomicInteger();
  public static final AtomicInteger CONTRACT_ERRORS = new AtomicInteger();
  public static final AtomicInteger SERVED_VALID = new AtomicInteger();
  public static final AtomicInteger TOKENS_LOST = new AtomicInteger();
  public static final AtomicInteger RECOVERED = new AtomicInteger();
  public static final AtomicInteger SECRET_CHECKS = new AtomicInteger();
  public static final AtomicInteger SECRETS_LEAKED = new AtomicInteger();
  public static final AtomicInteger BAD_INPUTS = new AtomicInteger();
  public static final AtomicInteger CLEAR_ERRORS = new AtomicInteger();

  private SuiteReport() {}

  public static String line() {
    return "faults tried " + FAULTS_TRIED + ", answered with the contract's error " + CONTRACT_ERRORS
        + ", served the valid token through " + SERVED_VALID + ", recovered by itself after " + RECOVERED
        + ", tokens lost " + TOKENS_LOST + "; secrets looked for in " + SECRET_CHECKS + " places, leaked " + SECRETS_LEAKED
        + "; bad inputs tried " + BAD_INPUTS + ", clear errors " + CLEAR_ERRORS;
  }

  /** Registered in META-INF/services: prints the line after the whole run, when any counter moved. */
  public static final class Printer implements TestExecutionListener {
    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
      if (FAULTS_TRIED.get() + SECRET_CHECKS.get() + BAD_INPUTS.get() > 0) {
        System.out.println("[reliability] " + line());
      }
    }
  }
}
