package dev.tokenbroker.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The broker's loggers write the records Vert.x's logging wrote (levels, logger names, messages,
 * no source method), and the jar's logging configuration applies to them as it did.
 */
class LogTest {
  static final class Nested {}

  /** The records one logger publishes while the action runs, at every level. */
  private static List<LogRecord> records(String name, Runnable action) {
    Logger logger = Logger.getLogger(name);
    List<LogRecord> records = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Level before = logger.getLevel();
    logger.setLevel(Level.ALL);
    logger.addHandler(handler);
    try {
      action.run();
    } finally {
      logger.removeHandler(handler);
      logger.setLevel(before);
    }
    return records;
  }

  @Test
  void errorWarnInfoAndDebugAreSevereWarningInfoAndFine() {
    IllegalStateException failure = new IllegalStateException("boom");
    Log log = Log.of(LogTest.class);
    List<LogRecord> records = records("dev.tokenbroker.log.LogTest", () -> {
      log.error("e");
      log.error("e2", failure);
      log.warn("w");
      log.warn("w2", failure);
      log.info("i");
      log.debug("d");
    });
    assertEquals(List.of("SEVERE e", "SEVERE e2", "WARNING w", "WARNING w2", "INFO i", "FINE d"),
        records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
    assertSame(failure, records.get(1).getThrown());
    assertSame(failure, records.get(3).getThrown());
    for (LogRecord r : records) {
      assertEquals("dev.tokenbroker.log.LogTest", r.getLoggerName());
      assertNull(r.getSourceClassName(), "no source: formats show the logger's name");
      assertNull(r.getSourceMethodName());
      assertNull(r.getParameters());
    }
  }

  @Test
  void aLoggerIsNamedByTheCanonicalNameOfItsClass() {
    assertEquals(1, records("dev.tokenbroker.log.LogTest.Nested", () -> Log.of(Nested.class).info("x")).size());
    Object anonymous = new Object() {};
    assertEquals(1, records("dev.tokenbroker.log.LogTest", () -> Log.of(anonymous.getClass()).info("x")).size());
    assertEquals(1, records("dev.tokenbroker.http.access", () -> Log.named("dev.tokenbroker.http.access").info("x")).size());
  }

  @Test
  void aMissingMessageIsTheFailuresMessageOrAPlaceholder() {
    List<LogRecord> records = records("dev.tokenbroker.log.LogTest", () -> {
      Log.of(LogTest.class).error(null, new IllegalStateException("boom"));
      Log.of(LogTest.class).warn(null);
    });
    assertEquals(List.of("boom", "<missing-log-message>"), records.stream().map(LogRecord::getMessage).toList());
  }

  @Test
  void debugIsEnabledOnlyWhenFineIsLoggable() {
    Logger logger = Logger.getLogger("dev.tokenbroker.log.LogTest.Nested");
    Level before = logger.getLevel();
    try {
      logger.setLevel(Level.INFO);
      assertEquals(false, Log.of(Nested.class).isDebugEnabled());
      logger.setLevel(Level.FINE);
      assertEquals(true, Log.of(Nested.class).isDebugEnabled());
    } finally {
      logger.setLevel(before);
    }
  }

  /**
   * As the jar runs (no {@code java.util.logging.config.file}): a broker line logged before Vert.x
   * starts already has the format of {@code vertx-default-jul-logging.properties} and its levels
   * (no debug), and a handler added then still gets the broker's lines after Vert.x's logging
   * started. Fails if Vert.x stops reading that file when its JUL logging starts, or reads it again.
   */
  @Test
  void theJarsLoggingConfigurationAppliesFromTheFirstLineAndIsReadOnce() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.contains("slf4j") && !entry.contains("zonky"))
        .collect(Collectors.joining(File.pathSeparator));
    Process p = new ProcessBuilder(java, "-cp", classpath, LogProbe.class.getName()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the probe did not exit");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<String> probeLines = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("probe:")).toList();
    assertEquals(0, p.exitValue(), out);
    assertEquals(2, probeLines.size(), probeLines.toString());
    assertTrue(probeLines.get(0).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d INFO    \\[dev\\.tokenbroker\\.log\\.LogProbe] probe: before Vert\\.x"),
        probeLines.get(0));
    assertTrue(probeLines.get(1).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d WARNING \\[dev\\.tokenbroker\\.log\\.LogProbe] probe: after Vert\\.x"),
        probeLines.get(1));
    assertEquals("handler saw 1", out.strip(), "the handler added before Vert.x started still gets the broker's lines");
  }
}
