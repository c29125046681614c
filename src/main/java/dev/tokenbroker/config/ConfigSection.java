package dev.tokenbroker.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed reads from one section of the raw configuration, with errors that name the full key
 * ({@code providers.esignglobal.timeout-seconds}). Values may arrive as YAML numbers or as
 * strings (environment variables and system properties are strings).
 *
 * <p>Every key a section is asked for, present or not, becomes one of its known keys; after
 * parsing, {@link #unknownKeys()} lists the keys of the configuration that nobody asked for
 * (misspellings), each with the closest known key of its section.
 */
final class ConfigSection {
  private final String path;
  /** The path as object keys, or null below a list item (system properties cannot reach there). */
  private final List<String> segments;
  private final JsonObject json;
  /** The keys this section was asked for: its known keys. */
  private final Set<String> known = new LinkedHashSet<>();
  private final Map<String, ConfigSection> children = new HashMap<>();
  private final Map<String, List<ConfigSection>> lists = new HashMap<>();
  /** Every section of this configuration, shared by the whole tree, for {@link #unknownKeys()}. */
  private final List<ConfigSection> all;

  private ConfigSection(String path, List<String> segments, JsonObject json, List<ConfigSection> all) {
    this.path = path;
    this.segments = segments;
    this.json = json == null ? new JsonObject() : json;
    this.all = all;
    all.add(this);
  }

  static ConfigSection root(JsonObject json) {
    return new ConfigSection("", List.of(), json, new ArrayList<>());
  }

  String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Reads a raw value: the key is known from now on. */
  private Object value(String name) {
    known.add(name);
    return json.getValue(name);
  }

  /** Declares keys as known without reading them (the keys of a feature that is off). */
  void known(String... names) {
    Collections.addAll(known, names);
  }

  boolean has(String name) {
    Object v = value(name);
    return v != null && !(v instanceof String s && s.isBlank());
  }

  /** True when the section has no keys at all (absent or empty). */
  boolean isEmpty() {
    return json.isEmpty();
  }

  /** The keys present, for sections whose keys are names (providers, accounts): all of them are known. */
  Set<String> names() {
    known.addAll(json.fieldNames());
    return json.fieldNames();
  }

  ConfigSection section(String name) {
    ConfigSection existing = children.get(name);
    if (existing != null) {
      return existing;
    }
    Object v = value(name);
    if (v != null && !(v instanceof JsonObject)) {
      throw new ConfigException(key(name), "must be a section (a map of keys), got " + describe(v));
    }
    ConfigSection child = new ConfigSection(key(name), childSegments(name), (JsonObject) v, all);
    children.put(name, child);
    return child;
  }

  List<ConfigSection> sections(String name) {
    List<ConfigSection> existing = lists.get(name);
    if (existing != null) {
      return existing;
    }
    Object v = value(name);
    List<ConfigSection> out = new ArrayList<>();
    if (v != null && !(v instanceof JsonArray)) {
      throw new ConfigException(key(name), "must be a list, got " + describe(v));
    }
    JsonArray arr = v == null ? new JsonArray() : (JsonArray) v;
    for (int i = 0; i < arr.size(); i++) {
      Object item = arr.getValue(i);
      if (!(item instanceof JsonObject obj)) {
        throw new ConfigException(key(name) + "[" + i + "]", "must be a section, got " + describe(item));
      }
      out.add(new ConfigSection(key(name) + "[" + i + "]", null, obj, all));
    }
    lists.put(name, List.copyOf(out));
    return lists.get(name);
  }

  private List<String> childSegments(String name) {
    if (segments == null) {
      return null;
    }
    List<String> out = new ArrayList<>(segments);
    out.add(name);
    return List.copyOf(out);
  }

  /**
   * The error for a required key that is absent: when a key that nobody asked for is a likely
   * misspelling of it ({@code client-secert}), the misspelling is the error, not the absence.
   */
  ConfigException missing(String name, String problem) {
    for (String present : json.fieldNames()) {
      if (!known.contains(present) && !present.equals(name) && ConfigKeys.close(present, name)) {
        return new ConfigException(key(present), ConfigKeys.unknown(present, Set.of(name)));
      }
    }
    return new ConfigException(key(name), problem);
  }

  /** The keys of the whole configuration that no section asked for, in the order they were met. */
  List<UnknownKey> unknownKeys() {
    List<UnknownKey> out = new ArrayList<>();
    for (ConfigSection section : all) {
      for (String name : section.json.fieldNames()) {
        if (!section.known.contains(name)) {
          out.add(new UnknownKey(section.key(name), section.childSegments(name),
              ConfigKeys.unknown(name, new TreeSet<>(section.known))));
        }
      }
    }
    return out;
  }

  /**
   * A list of single values ({@code [read, refresh]}; a comma-separated string, as environment
   * variables and system properties give it, is read as a list too), or null when absent.
   */
  List<String> strings(String name) {
    Object v = value(name);
    if (v == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray arr) {
      for (Object item : arr) {
        if (item == null || item instanceof JsonObject || item instanceof JsonArray) {
          throw new ConfigException(key(name), "must be a list of single values, got " + (item == null ? "an empty item" : describe(item)));
        }
        out.add(item.toString().trim());
      }
    } else if (v instanceof JsonObject) {
      throw new ConfigException(key(name), "must be a list, got " + describe(v));
    } else {
      for (String item : v.toString().split(",")) {
        if (!item.isBlank()) {
          out.add(item.trim());
        }
      }
    }
    return out;
  }

  /** A key nobody asked for; {@code segments} is its path as object keys, or null below a list item. */
  record UnknownKey(String key, List<String> segments, String problem) {
    ConfigException exception() {
      return new ConfigException(key, problem);
    }
  }

  String string(String name, String def) {
    Object v = value(name);
    if (v == null) {
      return def;
    }
    if (v instanceof JsonObject || v instanceof JsonArray) {
      throw new ConfigException(key(name), "must be a single value, got " + describe(v));
    }
    String s = v.toString().trim();
    return s.isEmpty() ? def : s;
  }

  String requiredString(String name, String why) {
    String s = string(name, null);
    if (s == null) {
      throw missing(name, "is required" + (why == null ? "" : why));
    }
    return s;
  }

  <E extends Enum<E>> E choice(String name, Class<E> type, E def) {
    String s = string(name, null);
    if (s == null) {
      return def;
    }
    String wanted = s.toLowerCase(Locale.ROOT).replace('-', '_');
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      String n = e.name().toLowerCase(Locale.ROOT);
      allowed.add(n);
      if (n.equals(wanted)) {
        return e;
      }
    }
    throw new ConfigException(key(name), "must be one of " + String.join(" | ", allowed) + ", got '" + s + "'");
  }

  long seconds(String name, long def, long min, long max) {
    return number(name, def, min, max, "a whole number of seconds");
  }

  long number(String name, long def, long min, long max, String what) {
    Object v = value(name);
    if (v == null || (v instanceof String s && s.isBlank())) {
      return def;
    }
    long n;
    if (v instanceof Number num) {
      double d = num.doubleValue();
      if (d != Math.rint(d)) {
        throw new ConfigException(key(name), "must be " + what + ", got " + v);
      }
      n = num.longValue();
    } else if (v instanceof String s) {
      try {
        n = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key(name), "must be " + what + ", got '" + s + "'");
      }
    } else {
      throw new ConfigException(key(name), "must be " + what + ", got " + describe(v));
    }
    if (n < min || n > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  boolean bool(String name, boolean def) {
    Object v = value(name);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      if (s.equalsIgnoreCase("true")) {
        return true;
      }
      if (s.equalsIgnoreCase("false")) {
        return false;
      }
    }
    throw new ConfigException(key(name), "must be true or false, got " + describe(v));
  }

  /** A path to a readable file, or null when absent. */
  String file(String name) {
    String path = string(name, null);
    if (path != null && !java.nio.file.Files.isReadable(java.nio.file.Path.of(path))) {
      throw new ConfigException(key(name), "cannot read the file '" + path + "'");
    }
    return path;
  }

  /** An absolute http(s) URL, or null when absent. */
  String url(String name) {
    String s = string(name, null);
    if (s == null) {
      return null;
    }
    try {
      URI uri = new URI(s);
      String scheme = uri.getScheme();
      if (uri.getHost() == null || scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new ConfigException(key(name), "must be an absolute http(s) URL, got '" + s + "'");
      }
      return s;
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException(key(name), "is not a valid URL: '" + s + "'");
    }
  }

  private static String describe(Object v) {
    if (v instanceof JsonObject) {
      return "a section";
    }
    if (v instanceof JsonArray) {
      return "a list";
    }
    return "'" + v + "'";
  }
}
