package dev.tokenbroker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics name a request's route by its template: never a provider, account or proxied path. */
class RouteLabelTest {
  @Test
  void pathsBecomeTheirRouteTemplates() {
    Map<String, String> expected = Map.ofEntries(
        Map.entry("/v1/tokens", "/v1/tokens"),
        Map.entry("/v1/tokens/esignglobal", "/v1/tokens/{provider}"),
        Map.entry("/v1/tokens/esignglobal/refresh", "/v1/tokens/{provider}/refresh"),
        Map.entry("/v1/tokens/esignglobal/other", "other"),
        Map.entry("/v1/proxy/rightsignature/documents/123", "/v1/proxy/{provider}/{path}"),
        Map.entry("/v1/proxy/rightsignature", "other"),
        Map.entry("/v1/oauth/rightsignature/authorize", "/v1/oauth/{provider}/authorize"),
        Map.entry("/v1/oauth/rightsignature/callback", "/v1/oauth/{provider}/callback"),
        Map.entry("/v1/oauth/rightsignature/secret-customer", "other"),
        Map.entry("/v1/events", "/v1/events"),
        Map.entry("/eventbus/info", "/eventbus"),
        Map.entry("/console/app.js", "/console"),
        Map.entry("/health", "/health"),
        Map.entry("/ready", "/ready"),
        Map.entry("/metrics", "/metrics"),
        Map.entry("/anything/else", "other"),
        Map.entry("/v1/", "other"));
    expected.forEach((path, label) -> assertEquals(label, RouteLabel.of(path), path));
  }

  @Test
  void onlyStandardMethodsAreNamed() {
    assertEquals("GET", RouteLabel.method(HttpMethod.GET));
    assertEquals("PATCH", RouteLabel.method(HttpMethod.valueOf("PATCH")));
    assertEquals("other", RouteLabel.method(HttpMethod.valueOf("SECRETCUSTOMERNAME")));
  }
}
