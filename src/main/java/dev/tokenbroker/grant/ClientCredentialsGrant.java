package dev.tokenbroker.grant;

import dev.tokenbroker.provider.ProviderSpec;
import dev.tokenbroker.provider.TokenGrant;
import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 6749 section 4.4: the client authenticates as itself. */
public final class ClientCredentialsGrant implements TokenGrant {
  public static final ClientCredentialsGrant INSTANCE = new ClientCredentialsGrant();

  private ClientCredentialsGrant() {}

  @Override
  public String type() {
    return "client_credentials";
  }

  @Override
  public Map<String, String> parameters(ProviderSpec provider) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("grant_type", type());
    if (provider.scope() != null) {
      params.put("scope", provider.scope());
    }
    return params;
  }
}
