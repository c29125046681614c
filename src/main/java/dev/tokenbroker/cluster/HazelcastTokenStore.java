package dev.tokenbroker.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.listener.EntryMergedListener;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenStore;
import dev.tokenbroker.log.Log;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The clustered store: a Hazelcast {@link IMap} of JSON text shared by all nodes, plus a
 * node-local copy kept current by an entry listener, so cache hits never touch Hazelcast (and never
 * pay for decryption: values are sealed with the cluster key, see {@link SealedTokens}).
 * Writes are compare-and-set on the token version, done on the key's owner by an entry
 * processor; all Hazelcast calls are asynchronous or on a worker thread. After a partition heals,
 * merged entries arrive as merge events and the whole map is read again once the member reports
 * {@code MERGED}, so a node never keeps serving the copy it had on the smaller side.
 */
public final class HazelcastTokenStore implements TokenStore {
  public static final String MAP_NAME = MapNames.TOKENS;
  private static final Log LOG = Log.of(HazelcastTokenStore.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final SealedBox box;
  private final IMap<String, String> map;
  private final ConcurrentHashMap<TokenKey, Token> local = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private UUID listenerId;
  private UUID lifecycleId;

  private HazelcastTokenStore(Vertx vertx, HazelcastInstance hazelcast, SealedBox box) {
    this.vertx = vertx;
    this.box = box;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(MAP_NAME);
  }

  /** Subscribes to changes, then loads the current content into the local copy. */
  public static Future<HazelcastTokenStore> start(Vertx vertx, HazelcastInstance hazelcast, SealedBox box) {
    return vertx.executeBlocking(() -> {
      HazelcastTokenStore store = new HazelcastTokenStore(vertx, hazelcast, box);
      store.listenerId = store.map.addEntryListener(store.new Replicator(), true);
      store.lifecycleId = hazelcast.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          store.resync();
        }
      });
      store.readAll();
      return store;
    });
  }

  /** Reads the whole shared map again (after a merge) and drops local entries it no longer has. */
  void resync() {
    vertx.executeBlocking(() -> {
      readAll();
      return null;
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("Token map re-read after the cluster merged: " + local.size() + " token(s)");
      } else {
        LOG.error("Token map could not be re-read after the cluster merged: " + ar.cause().getMessage());
      }
    });
  }

  /** Blocking: on a worker thread only. */
  private void readAll() {
    Set<TokenKey> present = new HashSet<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      try {
        Token token = SealedTokens.decode(box, e.getKey(), e.getValue());
        present.add(token.key());
        replace(token);
      } catch (RuntimeException unreadable) {
        LOG.error("Unreadable token entry " + e.getKey() + " ignored: " + unreadable.getClass().getSimpleName());
      }
    }
    for (TokenKey key : List.copyOf(local.keySet())) {
      if (!present.contains(key)) {
        forget(key.id());
      }
    }
  }

  @Override
  public Token cached(TokenKey key) {
    return local.get(key);
  }

  @Override
  public int cachedCount() {
    return local.size();
  }

  @Override
  public Collection<Token> cachedAll() {
    return List.copyOf(local.values());
  }

  @Override
  public Future<Token> load(TokenKey key) {
    return Future.fromCompletionStage(map.getAsync(key.id()), vertx.getOrCreateContext())
        .map(text -> {
          if (text == null) {
            return null;
          }
          Token token;
          try {
            token = SealedTokens.decode(box, key.id(), text);
          } catch (SealedBox.UnreadableException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "the shared token of " + key + " cannot be read with this"
                + " node's cluster key: " + e.getMessage() + " (TOKEN_BROKER_CLUSTER_KEY / TOKEN_BROKER_CLUSTER_OLD_KEYS)");
          }
          accept(token, false);
          return token;
        });
  }

  @Override
  public Future<Boolean> compareAndSet(TokenKey key, long expectedVersion, Token next) {
    return Future.fromCompletionStage(
        map.submitToKey(key.id(), new VersionedPut(expectedVersion, SealedTokens.encode(box, next))), vertx.getOrCreateContext())
        .map(stored -> {
          if (Boolean.TRUE.equals(stored)) {
            accept(next, true);
          }
          return Boolean.TRUE.equals(stored);
        });
  }

  @Override
  public Future<Void> remove(TokenKey key) {
    return Future.fromCompletionStage(map.removeAsync(key.id()), vertx.getOrCreateContext()).map(old -> {
      if (local.remove(key) != null) {
        listeners.forEach(l -> l.removed(key));
      }
      return null;
    });
  }

  @Override
  public void listen(Listener listener) {
    listeners.add(listener);
  }

  @Override
  public Future<Void> close() {
    UUID id = listenerId;
    if (id == null) {
      return Future.succeededFuture();
    }
    UUID lifecycle = lifecycleId;
    return vertx.executeBlocking(() -> {
      try {
        hazelcast.getLifecycleService().removeLifecycleListener(lifecycle);
        map.removeEntryListener(id);
      } catch (RuntimeException e) {
        LOG.debug("Token map listener not removed (cluster already leaving): " + e.getMessage());
      }
      return null;
    });
  }

  /** Takes the shared map's value as it is (after a merge the map is the judge, even at equal versions). */
  private void replace(Token token) {
    Token before = local.put(token.key(), token);
    if (!token.equals(before)) {
      listeners.forEach(l -> l.updated(token));
    }
  }

  /** Keeps the newest version; tells listeners when the local copy changed. */
  private void accept(Token token, boolean notifyEvenIfSame) {
    boolean[] changed = {false};
    local.compute(token.key(), (k, current) -> {
      if (current != null && current.version() > token.version()) {
        return current;
      }
      changed[0] = current == null || !current.equals(token) || notifyEvenIfSame;
      return token;
    });
    if (changed[0]) {
      listeners.forEach(l -> l.updated(token));
    }
  }

  private void forget(String id) {
    TokenKey key = TokenKey.fromId(id);
    if (local.remove(key) != null) {
      listeners.forEach(l -> l.removed(key));
    }
  }

  /** Applies the shared map's events to the local copy. */
  private final class Replicator implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryRemovedListener<String, String>, EntryEvictedListener<String, String>, EntryExpiredListener<String, String>,
      EntryMergedListener<String, String> {

    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      try {
        replace(SealedTokens.decode(box, event.getKey(), event.getValue()));
      } catch (RuntimeException e) {
        LOG.error("Unreadable merged token entry " + event.getKey() + " ignored: " + e.getClass().getSimpleName());
      }
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      decodeAndAccept(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      decodeAndAccept(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      forget(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, String> event) {
      forget(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      forget(event.getKey());
    }

    private void decodeAndAccept(EntryEvent<String, String> event) {
      try {
        accept(SealedTokens.decode(box, event.getKey(), event.getValue()), false);
      } catch (RuntimeException e) {
        LOG.error("Unreadable token entry " + event.getKey() + " ignored: " + e.getClass().getSimpleName());
      }
    }
  }

  /** Compare-and-set on the version, executed where the entry lives. */
  static final class VersionedPut implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final long expectedVersion;
    private final String json;

    VersionedPut(long expectedVersion, String json) {
      this.expectedVersion = expectedVersion;
      this.json = json;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (SealedTokens.versionOf(entry.getValue()) != expectedVersion) {
        return false;
      }
      entry.setValue(json);
      return true;
    }

    @Override
    public String toString() {
      return "VersionedPut[expected v" + expectedVersion + "]";
    }
  }
}
