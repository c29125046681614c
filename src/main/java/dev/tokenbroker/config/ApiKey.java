package dev.tokenbroker.config;

/** An accepted API key, known only by the SHA-256 digest of the key (lower-case hex). */
public record ApiKey(String name, String sha256) {}
