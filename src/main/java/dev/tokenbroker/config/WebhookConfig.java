package dev.tokenbroker.config;

import dev.tokenbroker.secret.Secret;
import java.util.List;
import java.util.Set;

/**
 * One {@code webhooks:} entry: where to POST which events, signed with the secret read from the
 * environment variable {@code secretEnv}. {@code toString()} never shows the secret.
 */
public record WebhookConfig(String url, Set<String> events, String secretEnv, Secret secret) {
  /** The events a webhook may subscribe to. */
  public static final List<String> EVENTS = List.of("token.failed", "token.recovered", "token.expiring",
      "account.authorized", "account.disconnected");

  public WebhookConfig {
    events = Set.copyOf(events);
  }

  @Override
  public String toString() {
    return "WebhookConfig[" + url + " " + events + " secret from " + secretEnv + "]";
  }
}
