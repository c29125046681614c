package dev.tokenbroker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.BrokerNode;
import dev.tokenbroker.support.Http;
import dev.tokenbroker.support.ProviderDouble;
import dev.tokenbroker.support.TestConfigs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /console} without a browser: the static files are public and carry a strict
 * Content-Security-Policy, nothing else is served there, and the data the page shows needs the
 * admin key ({@code GET /v1/providers} included).
 */
class ConsoleRoutesTest {
  private static final String READ_ONLY_KEY = "read-only-key-456";
  @RegisterExtension final BrokerExtension broker = new BrokerExtension();
  private final ProviderDouble provider = broker.provider();
  private BrokerNode node;
  private Http http;
  private WebClient raw;

  @BeforeEach
  void start() {
    JsonObject esg = TestConfigs.esignglobal(provider.baseUrl())
        .put("accounts", new JsonObject().put("acme", new JsonObject().put("client-id", "acme-id").put("client-secret", "acme-secret")));
    JsonObject config = TestConfigs.broker(new JsonObject().put("esignglobal", esg).put("rightsignature", TestConfigs.rightsignature(provider.baseUrl())));
    config.getJsonObject("http").getJsonArray("api-keys").add(new JsonObject().put("name", "reader")
        .put("sha256", Secret.sha256Hex(READ_ONLY_KEY)).put("actions", new JsonArray().add("read").add("events")));
    node = broker.start(config);
    http = broker.http(node);
    raw = broker.webClient(node.vertx, new WebClientOptions().setFollowRedirects(false));
  }

  private HttpResponse<Buffer> fetch(String path) {
    return Await.result(raw.get(node.httpPort(), "127.0.0.1", path).send());
  }

  private static void assertLockedDown(HttpResponse<Buffer> r) {
    String csp = r.getHeader("Content-Security-Policy");
    assertEquals(ConsoleRoutes.CONTENT_SECURITY_POLICY, csp);
    assertTrue(csp.startsWith("default-src 'self'"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval") || csp.contains("*"), csp);
    assertEquals("nosniff", r.getHeader("X-Content-Type-Options"));
    assertEquals("DENY", r.getHeader("X-Frame-Options"));
    assertEquals("no-referrer", r.getHeader("Referrer-Policy"));
  }

  @Test
  void thePageIsServedWithoutAKeyUnderAStrictPolicy() {
    HttpResponse<Buffer> redirect = fetch("/console");
    assertEquals(302, redirect.statusCode());
    assertEquals("/console/", redirect.getHeader("Location"));

    HttpResponse<Buffer> page = fetch("/console/");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=utf-8", page.getHeader("Content-Type"));
    assertLockedDown(page);
    String html = page.bodyAsString();
    assertTrue(html.contains("<script type=\"module\" src=\"console.js\"></script>"), html);
    // nothing inline that the policy would block: every script has a src, no style element or attribute, no handler attribute
    Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(html);
    while (scripts.find()) {
      assertTrue(scripts.group(1).contains("src="), "inline script: " + scripts.group());
    }
    assertFalse(html.contains("<style"), "inline style element");
    assertFalse(Pattern.compile("\\sstyle=").matcher(html).find(), "inline style attribute");
    assertFalse(Pattern.compile("\\son[a-z]+=").matcher(html).find(), "inline event handler");
  }

  @Test
  void everyFileThePageLoadsIsServedWithItsTypeAndRevalidatedByEtag() {
    for (var file : ConsoleRoutes.FILES.entrySet()) {
      HttpResponse<Buffer> r = fetch("/console/" + file.getKey());
      assertEquals(200, r.statusCode(), file.getKey());
      assertEquals(file.getValue(), r.getHeader("Content-Type"), file.getKey());
      assertLockedDown(r);
      assertTrue(r.body().length() > 0, file.getKey());
      String etag = r.getHeader("ETag");
      HttpResponse<Buffer> again = Await.result(raw.get(node.httpPort(), "127.0.0.1", "/console/" + file.getKey())
          .putHeader("If-None-Match", etag).send());
      assertEquals(304, again.statusCode(), file.getKey());
      assertNull(again.body(), file.getKey());
    }
  }

  @Test
  void nothingElseIsServedUnderTheConsole() {
    for (String path : new String[] {"/console/secret.txt", "/console/console", "/console/console.js/x", "/console/dev/tokenbroker/Main.class"}) {
      HttpResponse<Buffer> r = fetch(path);
      assertEquals(404, r.statusCode(), path);
      assertLockedDown(r);
    }
  }

  @Test
  void theConsolesExemptionDoesNotReachTheApi() {
    // normalised to /v1/tokens, which needs the key like any /v1 route
    for (String path : new String[] {"/console/%2e%2e/v1/tokens", "/console/../v1/tokens", "/console/..%2fv1/tokens", "/console/../pom.xml"}) {
      HttpResponse<Buffer> r = fetch(path);
      assertTrue(r.statusCode() == 401 || r.statusCode() == 404 || r.statusCode() == 400, path + " answered " + r.statusCode());
      assertFalse(r.bodyAsString().contains("\"provider\""), path);
    }
  }

  @Test
  void theDataThePageShowsNeedsTheAdminKey() {
    for (String path : new String[] {"/v1/tokens", "/v1/providers", "/v1/events"}) {
      assertEquals(401, http.send(HttpMethod.GET, path, null).statusCode(), path + " without a key");
    }
    assertEquals(403, http.send(HttpMethod.GET, "/v1/tokens", READ_ONLY_KEY).statusCode());
    assertEquals(403, http.send(HttpMethod.GET, "/v1/providers", READ_ONLY_KEY).statusCode());
    assertEquals(403, http.send(HttpMethod.POST, "/v1/oauth/rightsignature/authorize?account=acme", READ_ONLY_KEY).statusCode());
  }

  @Test
  void theProviderListNamesProvidersGrantsAndConfiguredAccountsButNoCredentials() {
    HttpResponse<Buffer> r = http.get("/v1/providers");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(new JsonArray()
        .add(new JsonObject().put("name", "esignglobal").put("grant", "client_credentials").put("accounts", new JsonArray().add("acme").add("default")))
        .add(new JsonObject().put("name", "rightsignature").put("grant", "authorization_code")), r.bodyAsJsonArray());
    assertFalse(r.bodyAsString().contains(TestConfigs.CLIENT_ID) || r.bodyAsString().contains("acme-id")
        || r.bodyAsString().contains(TestConfigs.CLIENT_SECRET) || r.bodyAsString().contains("acme-secret"), r.bodyAsString());
  }
}
