package dev.tokenbroker.client;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Objects;
import java.util.function.Function;

/**
 * Sends Web Client requests with a broker token as {@code Authorization: Bearer}. When the API
 * answers 401, the token is reported to the broker ({@code rejected_version}) and the request is
 * sent once more with the newer token; a second 401 is returned as it is. Only requests whose
 * body can be sent twice are retried: no body ({@link #send}), a {@link Buffer}
 * ({@link #sendBuffer}) or JSON ({@link #sendJson}). A streamed body ({@link #sendStream}) is sent
 * once and its 401 returned (the token is still reported, so the next request gets a new one).
 *
 * <p>Needs {@code io.vertx:vertx-web-client} on the class path (an optional dependency of the
 * client jar); the rest of the client does not.
 */
public final class AuthorizedRequests {
  private final TokenClient tokens;
  private final String provider;
  private final String account;

  private AuthorizedRequests(TokenClient tokens, String provider, String account) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.provider = Objects.requireNonNull(provider, "provider");
    this.account = account;
  }

  /** Requests authorized with the default account's token of {@code provider}. */
  public static AuthorizedRequests create(TokenClient tokens, String provider) {
    return new AuthorizedRequests(tokens, provider, null);
  }

  /** Requests authorized with {@code account}'s token of {@code provider}. */
  public static AuthorizedRequests create(TokenClient tokens, String provider, String account) {
    return new AuthorizedRequests(tokens, provider, Objects.requireNonNull(account, "account"));
  }

  /** Sends {@code request} without a body; retried once after a 401. */
  public <T> Future<HttpResponse<T>> send(HttpRequest<T> request) {
    return withToken(request, HttpRequest::send, true);
  }

  /** Sends {@code request} with {@code body}; retried once after a 401. */
  public <T> Future<HttpResponse<T>> sendBuffer(HttpRequest<T> request, Buffer body) {
    return withToken(request, r -> r.sendBuffer(body), true);
  }

  /** Sends {@code json} encoded once as {@code application/json}; retried once after a 401. */
  public <T> Future<HttpResponse<T>> sendJson(HttpRequest<T> request, Object json) {
    Buffer body = Json.encodeToBuffer(json);
    return withToken(request, r -> r.putHeader("Content-Type", "application/json").sendBuffer(body), true);
  }

  /** Sends a streamed body, which cannot be replayed: never retried, a 401 is returned as it is. */
  public <T> Future<HttpResponse<T>> sendStream(HttpRequest<T> request, ReadStream<Buffer> body) {
    return withToken(request, r -> r.sendStream(body), false);
  }

  private <T> Future<HttpResponse<T>> withToken(HttpRequest<T> request,
      Function<HttpRequest<T>, Future<HttpResponse<T>>> sender, boolean replayable) {
    return token().compose(token -> sender.apply(authorized(request, token)).compose(response -> {
      if (response.statusCode() != 401) {
        return Future.succeededFuture(response);
      }
      Future<AccessToken> newer = tokens.rejected(token);
      if (!replayable) {
        return newer.transform(ignored -> Future.succeededFuture(response));
      }
      return newer.compose(fresh -> sender.apply(authorized(request, fresh)));
    }));
  }

  private Future<AccessToken> token() {
    return account == null ? tokens.get(provider) : tokens.get(provider, account);
  }

  private static <T> HttpRequest<T> authorized(HttpRequest<T> request, AccessToken token) {
    return request.copy().putHeader("Authorization", "Bearer " + token.value());
  }
}
