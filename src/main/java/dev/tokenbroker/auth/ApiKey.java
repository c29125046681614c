package dev.tokenbroker.auth;

/**
 * An accepted API key, known only by the SHA-256 digest of the key (lower-case hex), with the
 * scope it grants. {@code name} is the configured label: safe for the access log.
 */
public record ApiKey(String name, String sha256, KeyScope scope) {}
