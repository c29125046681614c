package dev.tokenbroker.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small HTTP client for a broker node, with or without the test API key (open it with {@link BrokerExtension#http}). */
public final class Http implements AutoCloseable {
  private final WebClient client;
  private final int port;

  public Http(BrokerNode node) {
    this.client = WebClient.create(node.vertx);
    this.port = node.httpPort();
  }

  public HttpResponse<Buffer> send(HttpMethod method, String uri, String apiKey) {
    HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", uri);
    if (apiKey != null) {
      request.putHeader("Authorization", "Bearer " + apiKey);
    }
    return Await.result(request.send());
  }

  public HttpResponse<Buffer> get(String uri) {
    return send(HttpMethod.GET, uri, TestConfigs.API_KEY);
  }

  public HttpResponse<Buffer> post(String uri) {
    return send(HttpMethod.POST, uri, TestConfigs.API_KEY);
  }

  @Override
  public void close() {
    client.close();
  }

  /** The query parameters of a URL, decoded. */
  public static Map<String, String> query(String url) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = URI.create(url).getRawQuery();
    for (String pair : q.split("&")) {
      int i = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, i), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  public static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
