package dev.tokenbroker.config;

import dev.tokenbroker.secret.Secret;

/**
 * The built-in sandbox token endpoint for the demo: speaks the eSignGlobal dialect on
 * {@code host:port} and issues short-lived tokens to one client. {@code demoApiKey}, when set,
 * is accepted by the HTTP bridge and printed at start-up so the README's curl works.
 */
public record SandboxConfig(
    String host, int port, long lifetimeSeconds, String clientId, Secret clientSecret, Secret demoApiKey) {}
