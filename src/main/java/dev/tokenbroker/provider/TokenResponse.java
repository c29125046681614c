package dev.tokenbroker.provider;

import dev.tokenbroker.secret.Secret;

/**
 * A successful token-endpoint answer, as the provider sent it.
 *
 * @param expiresIn seconds, or null when the provider did not say
 * @param refreshToken null when the response carried none (keep the old one then)
 */
public record TokenResponse(Secret accessToken, String scope, Long expiresIn, Secret refreshToken, Long refreshExpiresIn) {}
