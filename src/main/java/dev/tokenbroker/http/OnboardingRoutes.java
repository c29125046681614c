package dev.tokenbroker.http;

import dev.tokenbroker.auth.KeyAction;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.onboarding.OnboardingService;
import dev.tokenbroker.service.ProviderCatalog;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/oauth/{provider}/authorize} (API key with action admin) and the provider's
 * redirect back to {@code GET /v1/oauth/{provider}/callback} (no API key: the single-use state is
 * the credential).
 */
final class OnboardingRoutes {
  private final ProviderCatalog providers;
  private final OnboardingService onboarding;

  OnboardingRoutes(ProviderCatalog providers, OnboardingService onboarding) {
    this.providers = providers;
    this.onboarding = onboarding;
  }

  void authorize(RoutingContext ctx) {
    Requests.respond(ctx, providers, KeyAction.ADMIN, onboarding::start, url -> HttpErrors.json(ctx.response(), 200,
        new JsonObject().put("authorize_url", url).put("expires_in", OnboardingService.STATE_TTL.toSeconds())));
  }

  /** Needs no API key: it is routed before the {@link Gate}'s check. */
  void callback(RoutingContext ctx) {
    String provider = ctx.pathParam("provider");
    MultiMap q = ctx.queryParams();
    try {
      providers.provider(provider);
      String error = Requests.single(q, "error");
      String description = Requests.single(q, "error_description");
      String providerError = error == null ? null : error + (description == null ? "" : " (" + description + ")");
      onboarding.complete(provider, Requests.single(q, "state"), Requests.single(q, "code"), providerError)
          .onComplete(ar -> {
            if (ar.succeeded()) {
              HtmlPage.send(ctx.response(), 200, "Connected",
                  "Account " + ar.result().key().account() + " is connected to " + provider
                      + ". token-broker keeps its token fresh; you can close this page.");
            } else {
              failPage(ctx, ar.cause());
            }
          });
    } catch (RuntimeException e) {
      failPage(ctx, e);
    }
  }

  private static void failPage(RoutingContext ctx, Throwable cause) {
    BrokerException error = BrokerException.from(cause);
    int status = error.code() == ErrorCode.AUTHORIZATION_REQUIRED ? 400 : error.code().status();
    HtmlPage.send(ctx.response(), status, "Not connected", error.getMessage());
  }
}
