package dev.tokenbroker.auth;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an API key may do. {@code admin} covers the token list, DELETE, authorize, import and the
 * console; a key configured without {@code actions} has {@link #DEFAULTS}: everything but admin.
 */
public enum KeyAction {
  READ, REFRESH, PROXY, EVENTS, ADMIN;

  /** The actions of a key that does not list any. */
  public static final Set<KeyAction> DEFAULTS = Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(ADMIN)));
  public static final Set<KeyAction> ALL = Collections.unmodifiableSet(EnumSet.allOf(KeyAction.class));

  /** The name in the configuration and in error descriptions: {@code read}, {@code admin}... */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<KeyAction> byName(String name) {
    return Arrays.stream(values()).filter(a -> a.configName().equals(name)).findFirst();
  }

  /** "read, refresh, proxy, events, admin": the names, for error messages. */
  public static String names() {
    return Arrays.stream(values()).map(KeyAction::configName).collect(Collectors.joining(", "));
  }
}
