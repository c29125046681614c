package dev.tokenbroker.provider;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP conversation with a token endpoint: encodes a grant in the provider's dialect
 * (multipart, form or JSON; credentials in the body or as Basic), applies the timeout and
 * turns the answer into a {@link TokenResponse} or a contract error. Knows nothing of caching.
 */
public final class TokenEndpointClient {
  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpointClient.class);

  private final WebClient client;
  private final Clock clock;

  /**
   * @param trustPem CA certificates (PEM file) to trust instead of the JVM's, or null. Certificates
   *     and host names are always verified.
   */
  public TokenEndpointClient(Vertx vertx, Clock clock, String trustPem) {
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("token-broker")
        .setFollowRedirects(false)
        .setVerifyHost(true)
        .setTrustAll(false);
    if (trustPem != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustPem));
    }
    this.client = WebClient.create(vertx, options);
    this.clock = clock;
  }

  public Future<TokenResponse> request(ProviderSpec provider, TokenGrant grant) {
    Map<String, String> params = new LinkedHashMap<>(grant.parameters(provider));
    long timeoutMillis = provider.timeout().toMillis();
    HttpRequest<Buffer> request = client.postAbs(provider.tokenUrl())
        .timeout(timeoutMillis)
        .connectTimeout(timeoutMillis)
        .putHeader("Accept", "application/json");
    if (provider.clientAuth() == ClientAuth.BASIC) {
      String credentials = formEncode(provider.clientId()) + ":" + formEncode(provider.clientSecret().reveal());
      request.putHeader("Authorization",
          "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    } else {
      params.put("client_id", provider.clientId());
      params.put("client_secret", provider.clientSecret().reveal());
    }
    long started = System.nanoTime();
    return send(request, provider.body(), params)
        .recover(t -> Future.failedFuture(unavailable(provider, t)))
        .map(response -> {
          LOG.debug(provider.name() + " token endpoint answered " + response.statusCode() + " to "
              + grant.type() + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
          try {
            return TokenResponseParser.parse(provider.name(), response.statusCode(),
                response.getHeader("Retry-After"), response.body(), clock.instant());
          } catch (BrokerException e) {
            // a success we cannot read may still have rotated the refresh token
            boolean success = response.statusCode() >= 200 && response.statusCode() < 300;
            throw success ? BrokerException.outcomeUnknown(e.code(), e.getMessage()) : e;
          }
        });
  }

  private static Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request, BodyEncoding body, Map<String, String> params) {
    switch (body) {
      case MULTIPART: {
        MultipartForm form = MultipartForm.create();
        params.forEach(form::attribute);
        return request.sendMultipartForm(form);
      }
      case JSON: {
        JsonObject json = new JsonObject();
        params.forEach(json::put);
        return request.sendJsonObject(json);
      }
      case FORM:
      default: {
        MultiMap form = MultiMap.caseInsensitiveMultiMap();
        params.forEach(form::add);
        return request.sendForm(form);
      }
    }
  }

  /**
   * A failure before any answer. A refused or timed-out connection never carried the request;
   * anything later (response timeout, connection lost) may have reached the provider.
   */
  private static BrokerException unavailable(ProviderSpec provider, Throwable t) {
    if (t instanceof BrokerException be) {
      return be;
    }
    if (t instanceof javax.net.ssl.SSLException) {
      return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE,
          provider.name() + " token endpoint failed the TLS handshake (certificate not trusted or invalid)");
    }
    if (t instanceof java.net.ConnectException) {
      return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE,
          provider.name() + " token endpoint could not be reached (" + t.getClass().getSimpleName() + ")");
    }
    boolean timeout = t instanceof java.util.concurrent.TimeoutException
        || String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timeout");
    return BrokerException.outcomeUnknown(ErrorCode.PROVIDER_UNAVAILABLE, provider.name() + " token endpoint "
        + (timeout ? "timed out after " + provider.timeout().toSeconds() + " s" : "closed the connection before answering"));
  }

  /** RFC 6749 section 2.3.1: Basic credentials are form-encoded first. */
  private static String formEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
