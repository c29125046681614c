package dev.tokenbroker.onboarding;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.service.AccountLifecycle;
import dev.tokenbroker.service.ProviderCatalog;
import io.vertx.core.Future;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The authorization-code onboarding: builds the provider's authorize URL with a random
 * single-use {@code state} (and PKCE S256 where configured), and on the callback checks the
 * state and exchanges the code through the {@link AccountLifecycle}.
 */
public final class OnboardingService {
  public static final Duration STATE_TTL = Duration.ofMinutes(10);

  private final ProviderCatalog providers;
  private final AccountLifecycle accounts;
  private final StateStore states;
  private final SecureRandom random = new SecureRandom();

  public OnboardingService(ProviderCatalog providers, AccountLifecycle accounts, StateStore states) {
    this.providers = providers;
    this.accounts = accounts;
    this.states = states;
  }

  /** Remembers a new state for the account and answers the URL to send the person to. */
  public Future<String> start(TokenKey key) {
    ProviderSpec spec = providers.spec(key);
    if (spec.authorizeUrl() == null) {
      throw BrokerException.invalidRequest("provider '" + spec.name() + "' has no authorize-url configured");
    }
    if (spec.redirectUri() == null) {
      throw BrokerException.invalidRequest("provider '" + spec.name() + "' has no redirect-uri configured");
    }
    String state = randomToken();
    Secret verifier = spec.pkce() ? Secret.of(randomToken()) : null;
    Map<String, String> names = spec.authorizeParams();
    Map<String, String> params = new LinkedHashMap<>();
    params.put(names.get("response_type"), "code");
    params.put(names.get("client_id"), spec.clientId());
    params.put(names.get("redirect_uri"), spec.redirectUri());
    if (spec.scope() != null) {
      params.put(names.get("scope"), spec.scope());
    }
    params.put(names.get("state"), state);
    if (verifier != null) {
      params.put("code_challenge", challenge(verifier));
      params.put("code_challenge_method", "S256");
    }
    StringBuilder url = new StringBuilder(spec.authorizeUrl()).append(spec.authorizeUrl().contains("?") ? '&' : '?');
    params.forEach((k, v) -> url.append(encode(k)).append('=').append(encode(v)).append('&'));
    url.setLength(url.length() - 1);
    return states.put(Secret.sha256Hex(state), new PendingAuthorization(key, verifier), STATE_TTL).map(url.toString());
  }

  /** Consumes the state whatever happens next; exchanges the code when there is one. */
  public Future<Token> complete(String provider, String state, String code, String providerError) {
    if (state == null || state.isEmpty()) {
      return Future.failedFuture(BrokerException.invalidRequest("the callback has no state"));
    }
    return states.take(Secret.sha256Hex(state)).compose(pending -> {
      if (pending == null) {
        return Future.failedFuture(BrokerException.invalidRequest(
            "this authorization link is unknown, expired (10 minutes) or already used; start again"));
      }
      if (!pending.key().provider().equals(provider)) {
        return Future.failedFuture(BrokerException.invalidRequest("the state belongs to another provider"));
      }
      if (providerError != null) {
        return Future.failedFuture(new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED,
            "the provider did not grant access: " + providerError));
      }
      if (code == null || code.isEmpty()) {
        return Future.failedFuture(BrokerException.invalidRequest("the callback has no code"));
      }
      return accounts.authorize(pending.key(), Secret.of(code), pending.codeVerifier());
    });
  }

  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
  static String challenge(Secret verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.reveal().getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
