package dev.tokenbroker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Pending durable writes: one save per token in flight, the newest version wins, failures stay pending. */
class DurableWritesTest {
  private static final TokenKey ACME = new TokenKey("rightsignature", "acme");
  private static final TokenKey OTHER = new TokenKey("rightsignature", "other");

  /** A repository whose saves complete when the test says so. */
  private static final class ControlledRepository implements TokenRepository {
    final List<Token> saves = new ArrayList<>();
    final List<Promise<Boolean>> answers = new ArrayList<>();

    @Override
    public Future<Boolean> save(Token token) {
      saves.add(token);
      Promise<Boolean> answer = Promise.promise();
      answers.add(answer);
      return answer.future();
    }

    @Override
    public Future<Boolean> compareAndSet(Token token, long expectedVersion) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Row> load(TokenKey key) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Long> loadAll(Function<List<Row>, Future<Void>> batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> delete(TokenKey key) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> ping() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  private static Token token(TokenKey key, long version) {
    Instant now = Instant.now();
    return new Token(key, Secret.of("access-" + version), "bearer", null, now, now.plusSeconds(3600), Secret.of("refresh-" + version),
        null, version, null, false, null);
  }

  @Test
  void oneSavePerTokenInFlightAndTheNewestVersionIsTheOneSavedNext() {
    ControlledRepository repo = new ControlledRepository();
    DurableWrites writes = new DurableWrites(repo);

    Future<Void> v2 = writes.write(token(ACME, 2));
    Future<Void> v3 = writes.write(token(ACME, 3));
    Future<Void> v4 = writes.write(token(ACME, 4));
    Future<Void> other = writes.write(token(OTHER, 7));
    writes.retry(); // a retry tick while saves are in flight starts nothing for them

    assertEquals(List.of(2L, 7L), repo.saves.stream().map(Token::version).toList(), "one save per token at a time");
    assertEquals(2, writes.count());

    repo.answers.get(0).fail("database down");
    assertTrue(v2.failed(), "the caller of v2 learns that v2 is not durable");
    assertEquals(List.of(2L, 7L, 4L), repo.saves.stream().map(Token::version).toList(),
        "after it, one save of the newest version (v3 is never saved after v4)");
    assertFalse(v3.isComplete() || v4.isComplete());

    repo.answers.get(2).complete(true);
    assertTrue(v3.succeeded() && v4.succeeded(), "v4 stored covers v3 and v4");
    assertEquals(1, writes.count(), "only the other token is still pending");
    assertFalse(writes.pending(ACME));

    repo.answers.get(1).fail("database down");
    assertTrue(other.failed());
    assertEquals(1, writes.count(), "a failed save stays pending");
    writes.retry();
    assertEquals(7L, repo.saves.get(3).version(), "retried");
    repo.answers.get(3).complete(false); // the database holds a newer version still: nothing left to do
    assertEquals(0, writes.count());
  }

  @Test
  void aLaterWriteOfTheSameVersionIsOnlyDurableOnceItIsStoredItself() {
    ControlledRepository repo = new ControlledRepository();
    DurableWrites writes = new DurableWrites(repo);
    Token failed = token(ACME, 5).withFailure("provider_error: HTTP 503", false, null, 1);
    Token intent = failed.withUnansweredSince(Instant.now()); // the mark of a call about to be made

    Future<Void> first = writes.write(failed);
    Future<Void> marked = writes.write(intent);
    repo.answers.get(0).complete(true);

    assertTrue(first.succeeded());
    assertFalse(marked.isComplete(), "the stored v5 is the one without the mark");
    assertEquals(2, repo.saves.size());
    assertEquals(intent, repo.saves.get(1), "the mark is saved next");
    repo.answers.get(1).complete(true);
    assertTrue(marked.succeeded());
    assertEquals(0, writes.count());
  }
}
