package dev.tokenbroker.http;

import dev.tokenbroker.provider.GrantType;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.service.ProviderCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * {@code GET /v1/providers} (admin): the configured providers, so that the console can show a
 * provider that has no account yet and offer to connect one. Per provider: {@code name},
 * {@code grant}, and for {@code client_credentials} the {@code accounts} the broker serves
 * ({@code default} plus {@code providers.<p>.accounts}). Names only, never a client id or secret.
 */
final class ProviderRoutes {
  private final ProviderCatalog providers;

  ProviderRoutes(ProviderCatalog providers) {
    this.providers = providers;
  }

  void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    providers.all().stream().sorted(Comparator.comparing(ProviderSpec::name)).forEach(spec -> {
      JsonObject provider = new JsonObject().put("name", spec.name()).put("grant", spec.grant().wireName());
      if (spec.grant() == GrantType.CLIENT_CREDENTIALS) {
        TreeSet<String> accounts = new TreeSet<>(spec.accounts().keySet());
        accounts.add(ProviderSpec.DEFAULT_ACCOUNT);
        provider.put("accounts", new JsonArray(accounts.stream().toList()));
      }
      out.add(provider);
    });
    HttpErrors.json(ctx.response(), 200, out);
  }
}
