package dev.tokenbroker.provider;

/** How a provider's first token for an account is obtained. */
public enum GrantType {
  /** Machine-to-machine: the broker can always get a token by itself. */
  CLIENT_CREDENTIALS("client_credentials"),
  /** A person authorizes once (onboarding); afterwards the refresh token keeps the account alive. */
  AUTHORIZATION_CODE("authorization_code");

  private final String wireName;

  GrantType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
