package dev.tokenbroker.provider;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.net.OutboundHttp;
import dev.tokenbroker.log.Log;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP conversation with a token endpoint: encodes a grant in the provider's dialect
 * (multipart, form or JSON; credentials in the body or as Basic), bounds the whole call by the
 * provider's timeout and the answer by {@link #MAX_ANSWER_BYTES}, and turns the answer into a
 * {@link TokenResponse} or a contract error. Knows nothing of caching.
 *
 * <p>Failures say whether the request may have reached the provider: before a connection was
 * established nothing was sent (a plain {@link BrokerException}); from the moment the request is
 * written every failure is {@link BrokerException#outcomeUnknown outcome-unknown}, because the
 * provider may have processed it (and rotated a refresh token).
 */
public final class TokenEndpointClient {
  /** Answers larger than this (body bytes as received) are refused as a provider_error. */
  public static final int MAX_ANSWER_BYTES = 64 * 1024;

  /**
   * How long a TCP connect may go on, even after its call's deadline. No per-request connect
   * timeout is set on purpose: it only cancels the wait for a pool slot, which the deadline does.
   */
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private static final Log LOG = Log.of(TokenEndpointClient.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final Clock clock;
  /** The context the client was created on: its calls' deadlines are timed there. */
  private final Context home;

  /**
   * Creates the HTTP client on the caller's context: created in a verticle, it is closed when
   * that verticle undeploys (and by {@link #close()}). Calls' deadline timers live on that context
   * too, not on the context of the verticle that makes a call: a verticle's timers end when it is
   * undeployed, and a graceful stop waits for the calls in flight after its callers are gone.
   *
   * @param trustPem CA certificates (PEM file) to trust instead of the JVM's, or null. Certificates
   *     and host names are always verified.
   */
  public TokenEndpointClient(Vertx vertx, Clock clock, String trustPem) {
    HttpClientOptions options = new HttpClientOptions()
        .setVerifyHost(true)
        .setTrustAll(false)
        // bytes are counted as received; no decompression, so no compressed bomb either
        .setDecompressionSupported(false)
        // the call's deadline is our own timer; this only bounds a TCP connect the deadline gave up on
        // (a TLS handshake is bounded by the default SSL handshake timeout, 10 s)
        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
        // an idle pooled connection is dropped after 2 s, before providers' own idle timeouts (5 s and
        // more), so a refresh is not written into a connection the provider is closing: for a rotating
        // refresh token that lost answer would cost a new authorization
        .setKeepAliveTimeout(2);
    if (trustPem != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustPem));
    }
    this.vertx = vertx;
    this.home = vertx.getOrCreateContext();
    this.client = OutboundHttp.client(vertx, options);
    this.clock = clock;
  }

  /** Closes the HTTP client; calls in flight fail. */
  public Future<Void> close() {
    return client.close();
  }

  public Future<TokenResponse> request(ProviderSpec provider, TokenGrant grant) {
    Map<String, String> params = new LinkedHashMap<>(grant.parameters(provider));
    return post(provider, provider.tokenUrl(), params, grant.type(), (status, retryAfter, body) ->
        TokenResponseParser.parse(provider.name(), status, retryAfter, body, clock.instant()));
  }

  /**
   * RFC 7009 revocation of {@code token} at the provider's {@code revocation-url}, with
   * {@code token_type_hint} and the client authentication of the token endpoint's dialect (same
   * body encoding, credentials in the body or as Basic), under the same hard deadline. Completes
   * when the provider answered 200 (RFC 7009: also for a token it no longer knows); fails with the
   * contract's error otherwise. Nothing of the answer but its status is used.
   */
  public Future<Void> revoke(ProviderSpec provider, dev.tokenbroker.secret.Secret token, String tokenTypeHint) {
    if (provider.revocationUrl() == null) {
      return Future.failedFuture(new BrokerException(ErrorCode.INVALID_REQUEST, provider.name() + " has no revocation-url"));
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("token", token.reveal());
    params.put("token_type_hint", tokenTypeHint);
    return post(provider, provider.revocationUrl(), params, "revocation", (status, retryAfter, body) -> {
      if (status == 200) {
        return null;
      }
      throw new BrokerException(status == 429 ? ErrorCode.RATE_LIMITED : ErrorCode.PROVIDER_ERROR,
          provider.name() + " revocation endpoint answered HTTP " + status);
    });
  }

  /** How an answer's status, Retry-After and body become a result or a contract error. */
  @FunctionalInterface
  private interface AnswerReader<T> {
    T read(int status, String retryAfter, Buffer body);
  }

  private <T> Future<T> post(ProviderSpec provider, String url, Map<String, String> params, String what, AnswerReader<T> reader) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setFollowRedirects(false)
        .putHeader(HttpHeaders.USER_AGENT, "token-broker")
        .putHeader(HttpHeaders.ACCEPT, "application/json");
    if (provider.clientAuth() == ClientAuth.BASIC) {
      String credentials = formEncode(provider.clientId()) + ":" + formEncode(provider.clientSecret().reveal());
      options.putHeader(HttpHeaders.AUTHORIZATION,
          "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    } else {
      params.put("client_id", provider.clientId());
      params.put("client_secret", provider.clientSecret().reveal());
    }
    RequestBody body = RequestBody.encode(provider.body(), params);
    options.putHeader(HttpHeaders.CONTENT_TYPE, body.contentType())
        .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length()));
    return new Call<>(provider, what, reader).start(options, body.bytes());
  }

  /**
   * One call: its deadline timer, the request once a connection carries it, and the answer's
   * bytes. Completes once, by whichever comes first: the answer, a failure, the deadline.
   */
  private final class Call<T> {
    private final ProviderSpec provider;
    private final String grantType;
    private final AnswerReader<T> reader;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    /** The result, handed to its callbacks on the caller's context, as the Web Client did. */
    private final Future<T> future = Future.fromCompletionStage(result, vertx.getOrCreateContext());
    private final long started = System.nanoTime();
    /** The deadline's timer once it is set on the client's own context, else -1. */
    private long timer = -1;
    /** Set once a connection is established; from then on the request may reach the provider. */
    private HttpClientRequest request;
    private boolean done;

    Call(ProviderSpec provider, String grantType, AnswerReader<T> reader) {
      this.provider = provider;
      this.grantType = grantType;
      this.reader = reader;
    }

    Future<T> start(RequestOptions options, Buffer body) {
      long deadline = Math.max(1, provider.timeout().toMillis());
      home.runOnContext(v -> {
        long id = vertx.setTimer(deadline, t -> deadline());
        synchronized (this) {
          if (done) {
            vertx.cancelTimer(id);
          } else {
            timer = id;
          }
        }
      });
      Future<HttpClientRequest> connecting;
      try {
        connecting = client.request(options);
      } catch (RuntimeException e) { // a closed client throws
        fail(unavailable(provider, e, false), null);
        return future;
      }
      connecting.onComplete(connected -> {
        if (connected.failed()) {
          fail(unavailable(provider, connected.cause(), false), null);
          return;
        }
        HttpClientRequest req = connected.result();
        boolean expired;
        synchronized (this) {
          expired = done;
          if (!expired) {
            request = req;
          }
        }
        if (expired) {
          abort(req); // the deadline came first: this request is never sent
          return;
        }
        req.exceptionHandler(t -> fail(unavailable(provider, t, true), req));
        req.send(body).onComplete(answered -> {
          if (answered.failed()) {
            fail(unavailable(provider, answered.cause(), true), req);
          } else {
            read(req, answered.result());
          }
        });
      });
      return future;
    }

    private void read(HttpClientRequest req, HttpClientResponse response) {
      boolean success = response.statusCode() >= 200 && response.statusCode() < 300;
      long announced = contentLength(response.getHeader(HttpHeaders.CONTENT_LENGTH));
      if (announced > MAX_ANSWER_BYTES) {
        fail(tooLarge(success), req);
        return;
      }
      Buffer body = Buffer.buffer((int) Math.max(256, Math.min(announced, MAX_ANSWER_BYTES)));
      response.handler(chunk -> {
        if (body.length() + chunk.length() > MAX_ANSWER_BYTES) {
          fail(tooLarge(success), req);
        } else {
          body.appendBuffer(chunk);
        }
      });
      response.exceptionHandler(t -> fail(BrokerException.outcomeUnknown(ErrorCode.PROVIDER_UNAVAILABLE,
          provider.name() + " token endpoint broke off its answer (" + t.getClass().getSimpleName() + ")"), req));
      response.endHandler(v -> answered(response, body));
    }

    private void answered(HttpClientResponse response, Buffer body) {
      if (!claim()) {
        return;
      }
      int status = response.statusCode();
      LOG.debug(provider.name() + " token endpoint answered " + status + " to " + grantType + " in "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
      try {
        result.complete(reader.read(status, response.getHeader("Retry-After"), body));
      } catch (BrokerException e) {
        // a success we cannot read may still have rotated the refresh token
        boolean success = status >= 200 && status < 300;
        result.completeExceptionally(success ? BrokerException.outcomeUnknown(e.code(), e.getMessage()) : e);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }

    private void deadline() {
      HttpClientRequest req;
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        req = request;
      }
      String text = provider.name() + " token endpoint timed out after " + provider.timeout().toSeconds() + " s";
      LOG.debug(text + " (" + grantType + ", " + (req == null ? "no connection" : "request sent") + ")");
      // without a connection nothing was sent; with one, the provider may be processing the request
      result.completeExceptionally(req == null ? new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, text)
          : BrokerException.outcomeUnknown(ErrorCode.PROVIDER_UNAVAILABLE, text));
      abort(req);
    }

    /** Ends the call with an error and closes the connection (if any) so nothing more is read. */
    private void fail(BrokerException error, HttpClientRequest req) {
      if (claim()) {
        result.completeExceptionally(error);
        abort(req);
      }
    }

    private synchronized boolean claim() {
      if (done) {
        return false;
      }
      done = true;
      vertx.cancelTimer(timer);
      return true;
    }

    private BrokerException tooLarge(boolean success) {
      String text = provider.name() + " token endpoint answered more than " + MAX_ANSWER_BYTES / 1024 + " KiB";
      // a success we refuse to read may still have rotated the refresh token
      return success ? BrokerException.outcomeUnknown(ErrorCode.PROVIDER_ERROR, text)
          : new BrokerException(ErrorCode.PROVIDER_ERROR, text);
    }
  }

  /** Resets the request and closes its connection; a no-op without one. */
  private static void abort(HttpClientRequest req) {
    if (req == null) {
      return;
    }
    try {
      req.reset();
      HttpConnection connection = req.connection();
      if (connection != null) {
        connection.close();
      }
    } catch (RuntimeException e) {
      LOG.debug("Closing a token endpoint connection failed: " + e.getClass().getSimpleName());
    }
  }

  /** The Content-Length header's value, or -1 when absent or unreadable (the bytes are counted then). */
  private static long contentLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * A failure before any answer. Before a connection was established nothing was sent (a refused
   * or timed-out connection, a failed TLS handshake); anything later (connection lost after the
   * request was written) may have reached the provider.
   */
  private static BrokerException unavailable(ProviderSpec provider, Throwable t, boolean mayHaveReachedProvider) {
    if (t instanceof BrokerException be) {
      return be;
    }
    String name = provider.name() + " token endpoint ";
    if (mayHaveReachedProvider) {
      return BrokerException.outcomeUnknown(ErrorCode.PROVIDER_UNAVAILABLE, name
          + (isTimeout(t) ? "timed out after " + provider.timeout().toSeconds() + " s" : "closed the connection before answering"));
    }
    if (t instanceof javax.net.ssl.SSLException) {
      return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE,
          name + "failed the TLS handshake (certificate not trusted or invalid)");
    }
    if (isTimeout(t)) {
      return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, name + "timed out after " + provider.timeout().toSeconds() + " s");
    }
    return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, name + "could not be reached (" + t.getClass().getSimpleName() + ")");
  }

  private static boolean isTimeout(Throwable t) {
    return t instanceof java.util.concurrent.TimeoutException
        || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")
        || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timed out");
  }

  /** RFC 6749 section 2.3.1: Basic credentials are form-encoded first. */
  private static String formEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
