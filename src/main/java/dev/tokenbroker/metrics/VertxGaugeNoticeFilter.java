package dev.tokenbroker.metrics;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops Micrometer's "This Gauge has been already registered" notice for Vert.x's own meters
 * ({@code vertx.*}) and lets every other record through, including the same notice for the
 * broker's {@code tokenbroker_*} meters.
 *
 * <p>Why: vertx-micrometer-metrics registers a gauge such as {@code vertx.eventbus.handlers} again
 * for every event-bus consumer, HTTP connection or pool it counts, on purpose: the gauges share
 * one {@code LongAdder} per meter id, so the values are right. Micrometer 1.13.9 and later warn
 * about any gauge re-registration, so every broker start printed a WARNING about
 * {@code vertx.eventbus.handlers} (vert-x3/vertx-micrometer-metrics#259,
 * micrometer-metrics/micrometer#6931, both open). Installed on the console handler by
 * {@code vertx-default-jul-logging.properties}.
 */
public final class VertxGaugeNoticeFilter implements Filter {
  static final String MICROMETER_LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String NOTICE = "has been already registered (MeterId{name='vertx.";

  @Override
  public boolean isLoggable(LogRecord record) {
    if (!MICROMETER_LOGGER.equals(record.getLoggerName())) {
      return true;
    }
    String message = record.getMessage();
    return message == null || !message.contains(NOTICE);
  }
}
