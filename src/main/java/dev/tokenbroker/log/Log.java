package dev.tokenbroker.log;

import io.vertx.core.logging.JULLogDelegateFactory;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The broker's loggers: {@code java.util.logging} loggers named after the class (so per-logger
 * levels such as {@code dev.tokenbroker.level} in the logging configuration apply), writing the
 * records Vert.x's logging wrote before: error, warn, info and debug are SEVERE, WARNING, INFO and
 * FINE; the record names its logger and no source method (formats print the logger name).
 *
 * <p>Configuration is as before: {@code -Djava.util.logging.config.file=FILE} when given, else
 * the jar's {@code vertx-default-jul-logging.properties}, which Vert.x reads once, when its JUL
 * logging starts. The first broker logger starts it (as Vert.x's logger factory did when the
 * broker logged through it), so a line logged before Vert.x runs has the configured format, and a
 * handler added after a broker logger exists is not dropped by that reading. {@code LogTest}
 * fails if either changes.
 */
public final class Log {
  static {
    // its class initialisation reads vertx-default-jul-logging.properties unless
    // java.util.logging.config.file is set; Vert.x's own logging reuses it (JVM-wide, once)
    new JULLogDelegateFactory();
  }

  private static final String MISSING_MESSAGE = "<missing-log-message>";
  private final Logger logger;

  private Log(Logger logger) {
    this.logger = logger;
  }

  /** The logger of a class, named by its canonical name (its enclosing class's for an anonymous class). */
  public static Log of(Class<?> type) {
    Class<?> named = type.isAnonymousClass() ? type.getEnclosingClass() : type;
    return named(named.getCanonicalName());
  }

  /** A logger by name, for a log that is not a class's (the access log). */
  public static Log named(String name) {
    return new Log(Logger.getLogger(name));
  }

  public void error(String message) {
    log(Level.SEVERE, message, null);
  }

  public void error(String message, Throwable failure) {
    log(Level.SEVERE, message, failure);
  }

  public void warn(String message) {
    log(Level.WARNING, message, null);
  }

  public void warn(String message, Throwable failure) {
    log(Level.WARNING, message, failure);
  }

  public void info(String message) {
    log(Level.INFO, message, null);
  }

  public void debug(String message) {
    log(Level.FINE, message, null);
  }

  /** True when debug lines are written: for lines whose text is costly to build. */
  public boolean isDebugEnabled() {
    return logger.isLoggable(Level.FINE);
  }

  private void log(Level level, String message, Throwable failure) {
    if (!logger.isLoggable(level)) {
      return;
    }
    String text = message != null ? message : failure != null ? failure.getMessage() : null;
    LogRecord record = new LogRecord(level, text == null ? MISSING_MESSAGE : text);
    record.setLoggerName(logger.getName());
    if (failure != null) {
      record.setThrown(failure);
    }
    record.setSourceClassName(null); // not this class: formats show the logger's name instead
    logger.log(record);
  }
}
