package dev.tokenbroker.rotation;

import dev.tokenbroker.token.TokenKey;

/** Decides which node schedules a token's refresh: exactly one node owns each key. */
public interface KeyOwnership {

  boolean ownsLocally(TokenKey key);

  /** Calls {@code onChange} (on any thread) whenever ownership may have moved. */
  void onChange(Runnable onChange);

  void close();

  /** A node alone owns everything. */
  KeyOwnership SINGLE_NODE = new KeyOwnership() {
    @Override
    public boolean ownsLocally(TokenKey key) {
      return true;
    }

    @Override
    public void onChange(Runnable onChange) {}

    @Override
    public void close() {}
  };
}
