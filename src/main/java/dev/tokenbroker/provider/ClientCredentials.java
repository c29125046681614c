package dev.tokenbroker.provider;

import dev.tokenbroker.secret.Secret;

/** The client id and secret one account authenticates with at the token endpoint; {@code toString()} hides the secret. */
public record ClientCredentials(String clientId, Secret clientSecret) {}
