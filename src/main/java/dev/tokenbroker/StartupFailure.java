package dev.tokenbroker;

import dev.tokenbroker.config.ConfigException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the one line says when the broker cannot start. */
final class StartupFailure {
  private StartupFailure() {}

  /** The failure's own message (the broker's start-up failures are written to be read), else its kind. */
  static String describe(Throwable failure) {
    Throwable t = unwrap(failure);
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }

  /** A failure the broker reports on purpose (not a bug whose stack trace is worth printing). */
  static boolean isExpected(Throwable failure) {
    Throwable t = unwrap(failure);
    return t instanceof IllegalStateException || t instanceof IllegalArgumentException || t instanceof ConfigException
        || t instanceof IOException || t instanceof io.vertx.core.VertxException;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
