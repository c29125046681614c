package dev.tokenbroker.store;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.tokenbroker.support.ProviderDouble;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A RightSignature-style token endpoint in WireMock that rotates refresh tokens like a real one:
 * the authorization code names the account, every answer issues a new refresh token and kills the
 * one sent, and a dead refresh token sent again is recorded as reuse (and refused with
 * invalid_grant, as RFC 9700 reuse detection would).
 */
final class RotatingProvider implements ResponseDefinitionTransformerV2, AutoCloseable {
  static final String PATH = ProviderDouble.RIGHTSIGNATURE_PATH;

  final WireMockServer server;
  private final long lifetimeSeconds;
  private final AtomicInteger issued = new AtomicInteger();
  private final Map<String, String> liveByAccount = new ConcurrentHashMap<>();
  private final Map<String, String> accountOfLive = new ConcurrentHashMap<>();
  private final Map<String, Boolean> dead = new ConcurrentHashMap<>();
  private final List<String> reused = new CopyOnWriteArrayList<>();
  private final AtomicInteger refreshes = new AtomicInteger();

  RotatingProvider(long lifetimeSeconds) {
    this.lifetimeSeconds = lifetimeSeconds;
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20).jettyAcceptors(1)
        .extensions(this));
    server.start();
    server.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(500)));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The refresh token this provider would accept now for {@code account}. */
  String liveRefreshToken(String account) {
    return liveByAccount.get(account);
  }

  /** Dead refresh tokens that were sent again. */
  List<String> reused() {
    return List.copyOf(reused);
  }

  int refreshes() {
    return refreshes.get();
  }

  @Override
  public String getName() {
    return "rotating-refresh-tokens";
  }

  @Override
  public boolean applyGlobally() {
    return true;
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    Map<String, String> params = ProviderDouble.params(event.getRequest());
    String account;
    if ("authorization_code".equals(params.get("grant_type"))) {
      account = params.get("code");
    } else if ("refresh_token".equals(params.get("grant_type"))) {
      String sent = params.get("refresh_token");
      refreshes.incrementAndGet();
      synchronized (this) {
        account = accountOfLive.remove(sent);
        if (account == null) {
          if (dead.containsKey(sent)) {
            reused.add(sent);
          }
          return json(400, new JsonObject().put("error", "invalid_grant").put("error_description", "refresh token is not valid"));
        }
        dead.put(sent, true);
      }
    } else {
      return json(400, new JsonObject().put("error", "unsupported_grant_type"));
    }
    int n = issued.incrementAndGet();
    String refresh = "r-" + account + "-" + n;
    synchronized (this) {
      liveByAccount.put(account, refresh);
      accountOfLive.put(refresh, account);
    }
    return json(200, new JsonObject().put("access_token", "a-" + account + "-" + n).put("token_type", "bearer")
        .put("expires_in", lifetimeSeconds).put("refresh_token", refresh));
  }

  private static ResponseDefinition json(int status, JsonObject body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body.encode()).build();
  }

  @Override
  public void close() {
    server.stop();
  }
}
