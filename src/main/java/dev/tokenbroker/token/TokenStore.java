package dev.tokenbroker.token;

import io.vertx.core.Future;
import java.util.Collection;

/**
 * Where tokens live. The shared store is the source of truth for every node; each node also
 * keeps a local copy (updated by its own writes and by the store's change events) so that a
 * cache hit never leaves the calling thread.
 */
public interface TokenStore {

  /** The node-local copy: never blocks, may lag a concurrent write on another node briefly. */
  Token cached(TokenKey key);

  /** How many tokens the node-local copy holds. */
  int cachedCount();

  /** All tokens in the node-local copy. */
  Collection<Token> cachedAll();

  /** Reads the source of truth. Completes with null when there is no token. */
  Future<Token> load(TokenKey key);

  /**
   * Compare-and-set on the version: stores {@code next} only if the stored token still has
   * {@code expectedVersion} (0 means "no token stored"). Completes with false when another
   * writer got there first; nothing is changed then.
   */
  Future<Boolean> compareAndSet(TokenKey key, long expectedVersion, Token next);

  /** Removes the token. */
  Future<Void> remove(TokenKey key);

  /** Tells the listener about every change, made on this node or any other. */
  void listen(Listener listener);

  Future<Void> close();

  /** Changes kept in memory because the durable store could not take them yet (0 without one). */
  default int pendingDurableWrites() {
    return 0;
  }

  /**
   * For {@code /ready}: completes when the store answers. By default a read of {@code probe}; a
   * durable store adds the result of its periodic database probe instead of querying per call.
   */
  default Future<Void> ready(TokenKey probe) {
    return load(probe).mapEmpty();
  }

  /** Change notifications; may be called on any thread. */
  interface Listener {
    void updated(Token token);

    void removed(TokenKey key);
  }
}
