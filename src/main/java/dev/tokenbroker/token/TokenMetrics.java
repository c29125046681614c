package dev.tokenbroker.token;

/** What the token service counts. Labels are provider names and outcomes only: never accounts or secrets. */
public interface TokenMetrics {
  /** A get answered from the cache, or one that needed a rotation. */
  void request(String provider, boolean hit);

  /** A get or refresh that failed, by contract error. */
  void requestFailed(String provider, String error);

  /** A call to the provider's token endpoint, by outcome ("ok" or the contract error). */
  void providerCall(String provider, String outcome, long nanos);

  void rotated(String provider, RotationReason reason);

  TokenMetrics NONE = new TokenMetrics() {
    @Override
    public void request(String provider, boolean hit) {}

    @Override
    public void requestFailed(String provider, String error) {}

    @Override
    public void providerCall(String provider, String outcome, long nanos) {}

    @Override
    public void rotated(String provider, RotationReason reason) {}
  };
}
