package dev.tokenbroker.provider;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * A token request's body in one of the three encodings, complete in memory so that it is sent
 * with a Content-Length. Holds secrets only for the request: it has no {@code toString()} of its
 * content.
 *
 * @param contentType the Content-Type header value
 * @param bytes the encoded body
 */
record RequestBody(String contentType, Buffer bytes) {
  private static final SecureRandom RANDOM = new SecureRandom();

  static RequestBody encode(BodyEncoding encoding, Map<String, String> params) {
    switch (encoding) {
      case MULTIPART:
        return multipart(params);
      case JSON: {
        JsonObject json = new JsonObject();
        params.forEach(json::put);
        return new RequestBody("application/json", json.toBuffer());
      }
      case FORM:
      default:
        return form(params);
    }
  }

  /** application/x-www-form-urlencoded, UTF-8 (RFC 6749 appendix B). */
  static RequestBody form(Map<String, String> params) {
    StringBuilder out = new StringBuilder();
    params.forEach((name, value) -> {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    });
    return new RequestBody("application/x-www-form-urlencoded", Buffer.buffer(out.toString(), "UTF-8"));
  }

  /**
   * multipart/form-data (RFC 7578): one text part per parameter, names and values in UTF-8, a
   * random boundary that occurs in no name or value.
   */
  static RequestBody multipart(Map<String, String> params) {
    String boundary;
    do {
      byte[] random = new byte[16];
      RANDOM.nextBytes(random);
      boundary = "token-broker-" + HexFormat.of().formatHex(random);
    } while (occursIn(boundary, params));
    Buffer body = Buffer.buffer(256 + 128 * params.size());
    for (Map.Entry<String, String> param : params.entrySet()) {
      body.appendString("--" + boundary + "\r\n")
          .appendString("Content-Disposition: form-data; name=\"" + escapeName(param.getKey()) + "\"\r\n", "UTF-8")
          .appendString("Content-Type: text/plain; charset=UTF-8\r\n\r\n")
          .appendString(param.getValue(), "UTF-8")
          .appendString("\r\n");
    }
    body.appendString("--" + boundary + "--\r\n");
    return new RequestBody("multipart/form-data; boundary=" + boundary, body);
  }

  private static boolean occursIn(String boundary, Map<String, String> params) {
    return params.entrySet().stream().anyMatch(e -> e.getKey().contains(boundary) || e.getValue().contains(boundary));
  }

  /** A field name inside a quoted string, escaped as browsers do (HTML form submission). */
  private static String escapeName(String name) {
    return name.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
  }

  int length() {
    return bytes.length();
  }

  @Override
  public String toString() {
    return "RequestBody[" + contentType + ", " + bytes.length() + " bytes]";
  }
}
