package dev.tokenbroker.support;

import java.util.logging.Logger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Marks each test's start and end in the test log (target/test.log, see
 * src/test/resources/test-logging.properties), so the lines a failing test logged can be found.
 * Registered in META-INF/services.
 */
public final class TestLogMarker implements TestExecutionListener {
  private static final Logger LOG = Logger.getLogger("test");

  @Override
  public void executionStarted(TestIdentifier test) {
    if (test.isTest()) {
      LOG.info("---- test " + name(test) + " started");
    }
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (test.isTest()) {
      LOG.info("---- test " + name(test) + " " + result.getStatus()
          + result.getThrowable().map(t -> ": " + t).orElse(""));
    }
  }

  private static String name(TestIdentifier test) {
    return test.getSource()
        .filter(MethodSource.class::isInstance)
        .map(s -> {
          MethodSource m = (MethodSource) s;
          String simple = m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1);
          return simple + "." + m.getMethodName() + (test.getDisplayName().startsWith(m.getMethodName()) ? "" : " " + test.getDisplayName());
        })
        .orElse(test.getDisplayName());
  }
}
