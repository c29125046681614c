package dev.tokenbroker.service;

import dev.tokenbroker.provider.TokenEndpointClient;
import dev.tokenbroker.rotation.FailurePolicy;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.rotation.RotationProtocol;
import dev.tokenbroker.token.TokenEvents;
import dev.tokenbroker.token.TokenMetrics;
import dev.tokenbroker.token.TokenPolicy;
import dev.tokenbroker.token.TokenStore;

/**
 * A node's services, built once from its parts: the provider catalog, the token service (get,
 * refresh, renew) and the account lifecycle (authorize, import, disconnect). Thread-safe, shared by
 * every verticle of the node.
 */
public record BrokerServices(ProviderCatalog providers, TokenService tokens, AccountLifecycle accounts) {

  public static BrokerServices create(ProviderCatalog providers, TokenStore store, RotationLeases leases,
                                      TokenEndpointClient endpoint, TokenPolicy policy, TokenEvents events, TokenMetrics metrics) {
    FailurePolicy failures = new FailurePolicy(policy);
    Rotator rotator = new Rotator(store, endpoint, policy, failures, events, metrics);
    TokenService tokens = new TokenService(providers, store, leases, new RotationProtocol(store, leases, policy, failures),
        rotator, policy, failures, metrics);
    AccountLifecycle accounts = new AccountLifecycle(providers, store, leases, rotator, new Revocation(endpoint), failures,
        tokens, policy, events);
    return new BrokerServices(providers, tokens, accounts);
  }
}
