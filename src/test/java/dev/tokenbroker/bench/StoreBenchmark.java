package dev.tokenbroker.bench;

import dev.tokenbroker.config.StoreConfig;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.store.DurableTokenStore;
import dev.tokenbroker.store.PgTokenRepository;
import dev.tokenbroker.store.TokenCipher;
import dev.tokenbroker.store.TokenRepositories;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.token.LocalTokenStore;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenCodec;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL store on this machine (embedded PostgreSQL, same host): start-up with 100,000
 * stored accounts (time and heap), and rotations per second through DurableTokenStore against a
 * bare insert loop on the same pool with the same concurrency (the ratio is the result). Run alone:
 * {@code mvn -B -Pbench test -Dtest=StoreBenchmark}.
 */
class StoreBenchmark {
  private static final int ROWS = Integer.getInteger("store.bench.rows", 100_000);
  private static final int ROTATIONS = Integer.getInteger("store.bench.rotations", 5_000);
  private static final int IN_FLIGHT = 16;
  @TempDir
  Path dir;

  private static Token token(TokenKey key, long version) {
    Instant now = Instant.now();
    return new Token(key, Secret.of("access-" + key.account() + "-" + version + "-0123456789abcdef0123456789abcdef"), "bearer", "read-write",
        now, now.plusSeconds(3600), Secret.of("refresh-" + key.account() + "-" + version + "-0123456789abcdef"), null, version, null, false, null);
  }

  private static long usedHeapMb() {
    System.gc();
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed() / (1024 * 1024);
  }

  /** Runs {@code count} operations with {@value #IN_FLIGHT} in flight; operations per second. */
  private static double throughput(Vertx vertx, int count, IntFunction<Future<?>> op) {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    long started = System.nanoTime();
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= count) {
        return;
      }
      op.apply(i).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
        } else if (finished.incrementAndGet() == count) {
          done.tryComplete();
        } else {
          launch[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int i = 0; i < IN_FLIGHT; i++) {
        launch[0].run();
      }
    });
    Await.result(done.future(), Duration.ofMinutes(10));
    return count / ((System.nanoTime() - started) / 1e9);
  }

  @Test
  void startUpWith100kAccountsAndRotationsPerSecondAgainstBareInserts() throws Exception {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    Secret key = Secret.of(java.util.Base64.getEncoder().encodeToString(raw));
    TokenCipher cipher = TokenCipher.aesGcm(key, List.of());
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start()) {
      StoreConfig cfg = new StoreConfig(StoreConfig.Type.POSTGRES, "postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres",
          null, key, List.of(), StoreConfig.Limits.defaults());
      Vertx vertx = Vertx.vertx();
      try {
        // the schema, then 100k sealed rows written directly (JDBC batches)
        Await.result(TokenRepositories.open(vertx, cfg, cipher).compose(r -> r.close()));
        try (Connection c = pg.getPostgresDatabase().getConnection();
             PreparedStatement in = c.prepareStatement(
                 "INSERT INTO tb_tokens (id, provider, account, version, key_id, payload, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
          c.setAutoCommit(false);
          for (int i = 0; i < ROWS; i++) {
            Token t = token(new TokenKey("rightsignature", "account-" + i), 1);
            in.setString(1, t.key().id());
            in.setString(2, t.key().provider());
            in.setString(3, t.key().account());
            in.setLong(4, 1);
            in.setString(5, cipher.currentKeyId());
            in.setString(6, cipher.seal(t.key().id(), TokenCodec.encode(t)));
            in.setLong(7, System.currentTimeMillis());
            in.addBatch();
            if (i % 1000 == 999) {
              in.executeBatch();
            }
          }
          in.executeBatch();
          c.commit();
        }

        long heapBefore = usedHeapMb();
        long started = System.nanoTime();
        PgTokenRepository repo = (PgTokenRepository) Await.result(TokenRepositories.open(vertx, cfg, cipher), Duration.ofMinutes(5));
        LocalTokenStore cache = new LocalTokenStore();
        DurableTokenStore store = Await.result(DurableTokenStore.start(vertx, cache, repo), Duration.ofMinutes(5));
        long startMs = (System.nanoTime() - started) / 1_000_000;
        long heapAfter = usedHeapMb();
        System.out.printf("STORE start-up: %d rows loaded in %d ms; heap used after GC %d MB before, %d MB after (+%d MB, %d tokens cached)%n",
            ROWS, startMs, heapBefore, heapAfter, heapAfter - heapBefore, store.cachedCount());

        // rotations: compare-and-set in PostgreSQL, then the cache, each on its own account
        double rotations = throughput(vertx, ROTATIONS, i -> {
          TokenKey k = new TokenKey("rightsignature", "account-" + (i % ROWS));
          Token current = store.cached(k);
          return store.compareAndSet(k, current.version(), token(k, current.version() + 1));
        });
        // the baseline: a bare INSERT of a payload of the same size on the same pool
        Pool pool = repo.sqlPool();
        Await.result(pool.query("CREATE TABLE bench_bare (id VARCHAR(200) PRIMARY KEY, payload VARCHAR(32000) NOT NULL)").execute());
        String payload = cipher.seal("x", TokenCodec.encode(token(new TokenKey("rightsignature", "x"), 1)));
        double inserts = throughput(vertx, ROTATIONS, i -> pool.preparedQuery("INSERT INTO bench_bare (id, payload) VALUES ($1, $2)")
            .execute(Tuple.of("row-" + i, payload)));
        System.out.printf("STORE rotations: %.0f/s through DurableTokenStore vs %.0f/s bare inserts on the same pool (%d in flight, pool %d): ratio %.2f%n",
            rotations, inserts, IN_FLIGHT, cfg.limits().poolSize(), rotations / inserts);
        Await.result(store.close());
      } finally {
        vertx.close();
      }
    }
  }
}
