package dev.tokenbroker.onboarding;

import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;

/** What the broker remembers between the authorize redirect and the callback. */
public record PendingAuthorization(TokenKey key, Secret codeVerifier) {

  public String encode() {
    JsonObject json = new JsonObject().put("provider", key.provider()).put("account", key.account());
    if (codeVerifier != null) {
      json.put("code_verifier", codeVerifier.reveal());
    }
    return json.encode();
  }

  public static PendingAuthorization decode(String text) {
    JsonObject json = new JsonObject(text);
    return new PendingAuthorization(new TokenKey(json.getString("provider"), json.getString("account")),
        Secret.ofNullable(json.getString("code_verifier")));
  }
}
