package dev.tokenbroker.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Typed reads from one section of the raw configuration, with errors that name the full key
 * ({@code providers.esignglobal.timeout-seconds}). Values may arrive as YAML numbers or as
 * strings (environment variables and system properties are strings).
 */
final class ConfigSection {
  private final String path;
  private final JsonObject json;

  ConfigSection(String path, JsonObject json) {
    this.path = path;
    this.json = json == null ? new JsonObject() : json;
  }

  static ConfigSection root(JsonObject json) {
    return new ConfigSection("", json);
  }

  String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  boolean has(String name) {
    Object v = json.getValue(name);
    return v != null && !(v instanceof String s && s.isBlank());
  }

  Set<String> names() {
    return json.fieldNames();
  }

  ConfigSection section(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return new ConfigSection(key(name), new JsonObject());
    }
    if (!(v instanceof JsonObject obj)) {
      throw new ConfigException(key(name), "must be a section (a map of keys), got " + describe(v));
    }
    return new ConfigSection(key(name), obj);
  }

  List<ConfigSection> sections(String name) {
    Object v = json.getValue(name);
    List<ConfigSection> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonArray arr)) {
      throw new ConfigException(key(name), "must be a list, got " + describe(v));
    }
    for (int i = 0; i < arr.size(); i++) {
      Object item = arr.getValue(i);
      if (!(item instanceof JsonObject obj)) {
        throw new ConfigException(key(name) + "[" + i + "]", "must be a section, got " + describe(item));
      }
      out.add(new ConfigSection(key(name) + "[" + i + "]", obj));
    }
    return out;
  }

  /**
   * A list of single values ({@code [read, refresh]}; a comma-separated string, as environment
   * variables and system properties give it, is read as a list too), or null when absent.
   */
  List<String> strings(String name) {
    Object v = json.getValue(name);
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

  String string(String name, String def) {
    Object v = json.getValue(name);
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
      throw new ConfigException(key(name), "is required" + (why == null ? "" : why));
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
    Object v = json.getValue(name);
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
    Object v = json.getValue(name);
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
