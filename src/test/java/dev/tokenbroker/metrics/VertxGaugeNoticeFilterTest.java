package dev.tokenbroker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class VertxGaugeNoticeFilterTest {
  private final VertxGaugeNoticeFilter filter = new VertxGaugeNoticeFilter();

  private static LogRecord record(String logger, String message) {
    LogRecord r = new LogRecord(Level.WARNING, message);
    r.setLoggerName(logger);
    return r;
  }

  private static String notice(String meterId) {
    // the text Micrometer 1.15 logs, as seen at the broker's start-up
    return "This Gauge has been already registered (" + meterId + "), the registration will be ignored."
        + " Note that subsequent logs will be logged at debug level.";
  }

  @Test
  void dropsTheReRegistrationNoticeForVertxMeters() {
    assertFalse(filter.isLoggable(record(VertxGaugeNoticeFilter.MICROMETER_LOGGER,
        notice("MeterId{name='vertx.eventbus.handlers', tags=[]}"))));
  }

  @Test
  void keepsTheSameNoticeForTheBrokersOwnMeters() {
    assertTrue(filter.isLoggable(record(VertxGaugeNoticeFilter.MICROMETER_LOGGER,
        notice("MeterId{name='tokenbroker_tokens_stored', tags=[]}"))));
  }

  @Test
  void keepsOtherMicrometerWarningsAndOtherLoggers() {
    assertTrue(filter.isLoggable(record(VertxGaugeNoticeFilter.MICROMETER_LOGGER,
        "A MeterFilter is being configured after a Meter has been registered to this registry.")));
    assertTrue(filter.isLoggable(record("dev.tokenbroker.Other", notice("MeterId{name='vertx.eventbus.handlers', tags=[]}"))));
    assertTrue(filter.isLoggable(record(VertxGaugeNoticeFilter.MICROMETER_LOGGER, null)));
  }

  @Test
  void theBrokersLoggingConfigurationInstallsItOnTheConsole() throws IOException {
    Properties p = new Properties();
    try (InputStream in = VertxGaugeNoticeFilter.class.getResourceAsStream("/vertx-default-jul-logging.properties")) {
      p.load(in);
    }
    assertEquals(VertxGaugeNoticeFilter.class.getName(), p.getProperty("java.util.logging.ConsoleHandler.filter"));
  }
}
