package dev.tokenbroker.proxy;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.service.TokenService;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import dev.tokenbroker.net.OutboundHttp;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Set;

/**
 * Forwards one caller's request to the provider's API with the account's token, and relays the
 * answer. Invariants:
 * <ul>
 *   <li>Bodies stream both ways with back-pressure; a body is held whole only when it is at most
 *       {@link #REPLAY_BUFFER_BYTES} and declared by {@code Content-Length} (so it can be replayed).
 *       More than {@code http.proxy-max-body-bytes} either way is refused (413), or, once the
 *       answer's head is sent, cut (the connection is reset).</li>
 *   <li>An upstream 401 reports the token's version as rejected - at most as often as the
 *       {@link RejectionBudget} allows - and a replayable request is sent once more with the token
 *       that rotation produced; never more than once. A streamed request gets the 401 as it is.</li>
 *   <li>Redirects are never followed: a 3xx goes back to the caller as it is.</li>
 *   <li>A replayable request with an idempotent method (GET, PUT, DELETE) whose connection closed
 *       before any answer is sent once more: a kept-alive connection the API closes when idle can
 *       meet a request on its way.</li>
 * </ul>
 * Failures before the answer's head: 502 {@code upstream_unavailable}, 504 {@code upstream_timeout}
 * (no answer within {@code proxy-timeout-seconds}), 413.
 */
public final class ApiProxy {
  /** Methods that may be sent again after a connection failure (RFC 9110 9.2.2). */
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE,
      HttpMethod.OPTIONS);

  /** Bodies up to this size, declared by Content-Length, are buffered so a 401 can be retried. */
  public static final long REPLAY_BUFFER_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final HttpClient client;
  private final TokenService service;
  private final RejectionBudget budget;
  private final long maxBodyBytes;

  public ApiProxy(Vertx vertx, HttpClient client, TokenService service, RejectionBudget budget, long maxBodyBytes) {
    this.vertx = vertx;
    this.client = client;
    this.service = service;
    this.budget = budget;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * A proxy with its own HTTP client, created on the caller's context (closed with it, or by
   * {@link #close}). Providers' APIs are trusted like their token endpoints: certificates and host
   * names verified, against {@code trustPem} (a PEM file of CA certificates) instead of the JVM's
   * when given.
   */
  public static ApiProxy create(Vertx vertx, String trustPem, TokenService service, RejectionBudget budget, long maxBodyBytes) {
    HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setDecompressionSupported(false)
        .setVerifyHost(true);
    if (trustPem != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(trustPem));
    }
    return new ApiProxy(vertx, OutboundHttp.client(vertx, options, new PoolOptions().setHttp1MaxSize(64)), service, budget,
        maxBodyBytes);
  }

  /** Closes the HTTP client; requests in flight fail. */
  public Future<Void> close() {
    return client.close();
  }

  /**
   * Forwards {@code in} (paused by the caller) to {@code uri} at the base's origin (the checked
   * request URI, {@link ProxyPath#requestUri}) and relays the answer to {@code out}. Completes once
   * the answer is relayed; fails with a {@link BrokerException} when none could be.
   */
  public Future<Void> forward(TokenKey key, ProviderSpec spec, ApiBase base, String uri, HttpServerRequest in,
                              HttpServerResponse out) {
    Target url = new Target(base, uri);
    long declared = contentLength(in.headers());
    boolean chunked = in.headers().contains(HttpHeaders.TRANSFER_ENCODING, "chunked", true);
    if (declared > maxBodyBytes) {
      return tooLarge(in, out, "the request body is over http.proxy-max-body-bytes (" + maxBodyBytes + " bytes)");
    }
    MultiMap headers = ProxyHeaders.toProvider(in.headers());
    if (chunked || declared > REPLAY_BUFFER_BYTES) {
      return service.get(key, 0, null)
          .compose(token -> streamed(spec, url, in, out, headers, declared, token)
              .compose(response -> {
                if (response.statusCode() == 401 && reportRejected(key, token)) {
                  // not replayable: the 401 goes back, and the next request gets the new token
                  service.get(key, 0, token.version());
                }
                return relay(response, out);
              }));
    }
    Future<Buffer> body = declared > 0 ? in.body() : Future.succeededFuture(null);
    in.resume();
    return body.compose(b -> service.get(key, 0, null).compose(token -> buffered(spec, url, in.method(), headers, token, b)
        .compose(response -> {
          if (response.statusCode() == 401 && reportRejected(key, token)) {
            return discard(response)
                .compose(v -> service.get(key, 0, token.version()))
                .compose(fresh -> buffered(spec, url, in.method(), headers, fresh, b))
                .compose(retried -> relay(retried, out));
          }
          return relay(response, out);
        })));
  }

  /**
   * Reports the token's version as rejected when the budget allows; true when it did (then the
   * request may be retried with the token the report brings).
   */
  private boolean reportRejected(TokenKey key, Token token) {
    return budget.mayReport(key, token.version(), service.now());
  }

  /**
   * Sends a request whose body is all here. The request's idle timeout is its deadline: nothing
   * is left to send, so no data from the provider within {@code proxy-timeout-seconds} means no
   * answer's head (504), and afterwards a stalled answer.
   */
  private Future<HttpClientResponse> buffered(ProviderSpec spec, Target url, HttpMethod method, MultiMap headers, Token token,
                                              Buffer body) {
    return sendBuffered(spec, url, method, headers, token, body)
        .recover(failure -> IDEMPOTENT.contains(method) && closedUnderfoot(failure)
            // most likely a kept-alive connection the API closed (its idle timeout) as the request
            // went out: nothing was answered, and this method may be sent again (RFC 9110 9.2.2)
            ? sendBuffered(spec, url, method, headers, token, body)
            : Future.failedFuture(failure))
        .recover(failure -> Future.failedFuture(unreachable(failure, false)));
  }

  private Future<HttpClientResponse> sendBuffered(ProviderSpec spec, Target url, HttpMethod method, MultiMap headers,
                                                  Token token, Buffer body) {
    return client.request(options(spec, url, method)).compose(request -> {
      prepare(request, headers, token);
      return (body == null ? request.send() : request.send(body)).onSuccess(HttpClientResponse::pause);
    });
  }

  /** The connection closed or was reset before any answer: not a refused connection, TLS, or a timeout. */
  private static boolean closedUnderfoot(Throwable failure) {
    return failure instanceof HttpClosedException
        || failure instanceof java.io.IOException && !(failure instanceof java.net.ConnectException)
        && !(failure instanceof javax.net.ssl.SSLException);
  }

  /** Sends the caller's body as it arrives, no faster than the provider takes it. */
  private Future<HttpClientResponse> streamed(ProviderSpec spec, Target url, HttpServerRequest in, HttpServerResponse out,
                                              MultiMap headers, long declared, Token token) {
    return client.request(options(spec, url, in.method())).compose(request -> {
      prepare(request, headers, token);
      if (declared >= 0 && !in.headers().contains(HttpHeaders.TRANSFER_ENCODING, "chunked", true)) {
        request.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(declared));
      } else {
        request.setChunked(true);
      }
      Deadline deadline = new Deadline(request, spec);
      Promise<HttpClientResponse> outcome = Promise.promise();
      boolean[] over = {false};
      copyCapped(in, request, () -> {
        over[0] = true;
        in.handler(discarded -> {});
        // the 413 first: resetting the request fails its answer at once, which would make it a 502
        out.putHeader(HttpHeaders.CONNECTION, "close");
        outcome.tryFail(new BrokerException(ErrorCode.REQUEST_TOO_LARGE,
            "the request body is over http.proxy-max-body-bytes (" + maxBodyBytes + " bytes)"));
        request.reset();
      });
      in.endHandler(v -> {
        if (!over[0]) {
          request.end();
          deadline.start();
        }
      });
      in.exceptionHandler(t -> request.reset());
      deadline.watch(request.response()).onComplete(outcome::tryComplete, outcome::tryFail);
      in.resume();
      return outcome.future();
    }, failure -> Future.failedFuture(unreachable(failure, false)));
  }

  /** Status, headers and body back to the caller as they are, the body streamed. */
  private Future<Void> relay(HttpClientResponse in, HttpServerResponse out) {
    long declared = contentLength(in.headers());
    if (declared > maxBodyBytes) {
      in.request().reset();
      return Future.failedFuture(new BrokerException(ErrorCode.REQUEST_TOO_LARGE,
          "the provider's answer is over http.proxy-max-body-bytes (" + maxBodyBytes + " bytes)"));
    }
    out.setStatusCode(in.statusCode());
    if (in.statusMessage() != null) {
      out.setStatusMessage(in.statusMessage());
    }
    ProxyHeaders.toCaller(in.headers(), out.headers());
    if (declared >= 0) {
      out.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(declared));
    } else {
      out.setChunked(true);
    }
    Promise<Void> done = Promise.promise();
    copyCapped(in, out, () -> {
      in.request().reset();
      out.reset();
      done.tryFail(new BrokerException(ErrorCode.REQUEST_TOO_LARGE, "the provider's answer is over http.proxy-max-body-bytes"));
    });
    in.exceptionHandler(t -> {
      out.reset();
      done.tryFail(unreachable(t, false));
    });
    in.endHandler(v -> out.end().onComplete(done));
    out.closeHandler(v -> {
      if (!out.ended()) {
        in.request().reset();
        done.tryFail(new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE, "the caller went away"));
      }
    });
    in.resume();
    return done.future();
  }

  /**
   * Copies {@code from} to {@code to} as it arrives, no faster than {@code to} takes it; once more
   * than {@code http.proxy-max-body-bytes} came, calls {@code onOver} instead of writing (the
   * caller ends both sides) and copies nothing more.
   */
  private void copyCapped(ReadStream<Buffer> from, WriteStream<Buffer> to, Runnable onOver) {
    long[] copied = {0};
    from.handler(chunk -> {
      copied[0] += chunk.length();
      if (copied[0] > maxBodyBytes) {
        onOver.run();
        return;
      }
      to.write(chunk);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    });
  }

  /** Reads and drops an answer that is not relayed (the 401 before a retry). */
  private static Future<Void> discard(HttpClientResponse response) {
    response.handler(chunk -> {});
    Future<Void> ended = response.end();
    response.resume();
    return ended.recover(t -> Future.succeededFuture());
  }

  private Future<Void> tooLarge(HttpServerRequest in, HttpServerResponse out, String why) {
    // the body is read and dropped so that the caller gets the answer; the connection then closes
    in.handler(chunk -> {});
    in.resume();
    out.putHeader(HttpHeaders.CONNECTION, "close");
    return Future.failedFuture(new BrokerException(ErrorCode.REQUEST_TOO_LARGE, why));
  }

  private static void prepare(HttpClientRequest request, MultiMap headers, Token token) {
    // a failure (a reset, the connection lost) also fails the answer, which is where it is handled
    // and reported; without a handler Vert.x would log it as unhandled
    request.exceptionHandler(t -> {});
    request.headers().addAll(headers);
    request.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token.accessToken().reveal());
  }

  private static RequestOptions options(ProviderSpec spec, Target url, HttpMethod method) {
    long ms = spec.proxyTimeout().toMillis();
    return new RequestOptions().setSsl(url.base().ssl()).setHost(url.base().host()).setPort(url.base().port())
        .setURI(url.uri()).setMethod(method).setFollowRedirects(false).setConnectTimeout(ms).setIdleTimeout(ms);
  }

  /** Where a request goes: the base's origin and the request URI. */
  private record Target(ApiBase base, String uri) {}

  private static long contentLength(MultiMap headers) {
    String value = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw BrokerException.invalidRequest("Content-Length is not a number");
    }
  }

  private static BrokerException unreachable(Throwable failure, boolean timedOut) {
    if (failure instanceof BrokerException be) {
      return be;
    }
    if (timedOut || failure instanceof java.util.concurrent.TimeoutException
        || failure.getClass().getSimpleName().contains("Timeout")) {
      return new BrokerException(ErrorCode.UPSTREAM_TIMEOUT, "the provider's API did not answer in time"
          + " (providers.<p>.proxy-timeout-seconds)");
    }
    return new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE, "the provider's API could not be reached ("
        + failure.getClass().getSimpleName() + ")");
  }

  /** No answer's head within the provider's proxy timeout: the request is reset and the caller gets 504. */
  private final class Deadline {
    private final HttpClientRequest request;
    private final long ms;
    // all on the request's event loop: the timer is set and fired on its context, and so is the answer
    private boolean expired;
    private boolean answered;
    private long timer = -1;

    Deadline(HttpClientRequest request, ProviderSpec spec) {
      this.request = request;
      this.ms = spec.proxyTimeout().toMillis();
    }

    void start() {
      if (answered) {
        return;
      }
      timer = vertx.setTimer(ms, id -> {
        expired = true;
        request.reset();
      });
    }

    Future<HttpClientResponse> watch(Future<HttpClientResponse> response) {
      return response.transform(ar -> {
        answered = true;
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
        if (ar.succeeded()) {
          ar.result().pause();
          return Future.succeededFuture(ar.result());
        }
        return Future.failedFuture(unreachable(ar.cause(), expired));
      });
    }
  }
}
