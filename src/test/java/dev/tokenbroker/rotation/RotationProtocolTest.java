package dev.tokenbroker.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.config.RefreshConfig;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.grant.RefreshTokenGrant;
import dev.tokenbroker.provider.TokenGrant;
import dev.tokenbroker.secret.Secret;
import dev.tokenbroker.support.MutableClock;
import dev.tokenbroker.token.LocalTokenStore;
import dev.tokenbroker.token.Token;
import dev.tokenbroker.token.TokenKey;
import dev.tokenbroker.token.TokenNeed;
import dev.tokenbroker.token.TokenPolicy;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rotation protocol's invariants with the single-node lease table and a scripted provider step. */
class RotationProtocolTest {
  private static final TokenKey KEY = new TokenKey("rightsignature", "acme");
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TokenPolicy policy = new TokenPolicy(new RefreshConfig(300, 0, 30, 3600, 1, 300), clock, new Random(1));
  private final FailurePolicy failures = new FailurePolicy(policy);
  private final LocalTokenStore store = new LocalTokenStore();
  private final LocalRotationLeases leases = new LocalRotationLeases();
  private final RotationProtocol protocol = new RotationProtocol(store, leases, policy, failures);
  private final Scripted rotation = new Scripted();

  /** Records what the protocol asked for; succeeds by storing the next version unless told otherwise. */
  private final class Scripted implements RotationProtocol.Rotation {
    final List<String> calls = new ArrayList<>();
    Future<RotationProtocol.Outcome> answer;

    @Override
    public TokenGrant plan(Token current) {
      return new RefreshTokenGrant(current.refreshToken());
    }

    @Override
    public Future<RotationProtocol.Outcome> perform(Token current, TokenGrant grant, int previousFailures) {
      calls.add("perform " + grant.refreshTokenFingerprint());
      if (answer != null) {
        return answer;
      }
      Token next = token(current.version() + 1, "r-" + (current.version() + 1));
      return store.compareAndSet(KEY, current.version(), next).map(ok -> RotationProtocol.Outcome.rotated(next));
    }

    @Override
    public Future<RotationProtocol.Outcome> interrupted(Token current, TokenGrant grant, int previousFailures) {
      calls.add("interrupted " + grant.refreshTokenFingerprint());
      return Future.succeededFuture(RotationProtocol.Outcome.failed(new FailurePolicy.Decision(
          new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "interrupted"), previousFailures + 1, null)));
    }
  }

  private Token token(long version, String refresh) {
    Instant now = clock.instant();
    return new Token(KEY, Secret.of("a-" + version), "Bearer", null, now, now.plusSeconds(3600), Secret.of(refresh), null,
        version, null, false, null);
  }

  private Future<Token> rotate() {
    Token current = store.cached(KEY);
    return protocol.rotate(KEY, new TokenNeed(0, current.version()), DEADLINE, rotation);
  }

  @BeforeEach
  void storeVersionOne() {
    store.compareAndSet(KEY, 0, token(1, "r-1"));
  }

  @Test
  void aRenewalNeverCreatesAToken() {
    store.remove(KEY);
    Token renewed = protocol.rotate(KEY, TokenNeed.renewal(1), DEADLINE, rotation).result();
    assertEquals(null, renewed);
    assertEquals(List.of(), rotation.calls, "no provider step");
    assertEquals(null, store.cached(KEY));
    assertEquals(0, leases.size());
  }

  @Test
  void aRotationReleasesItsLeaseAndLeavesNoRecord() {
    assertEquals(2, rotate().result().version());
    assertEquals(List.of("perform " + Secret.of("r-1").fingerprint()), rotation.calls);
    assertEquals(0, leases.size(), "per-key state goes when the rotation is done");
  }

  @Test
  void nobodyCallsTheProviderWhileAnotherHolderHasTheLease() {
    leases.acquire(KEY, clock.instant(), Duration.ofSeconds(60));

    Throwable failure = rotate().cause();

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, ((BrokerException) failure).code());
    assertEquals(List.of(), rotation.calls);
  }

  @Test
  void aCallInterruptedWithTheSameRefreshTokenIsNeverRepeated() {
    RotationLeases.Lease earlier = leases.acquire(KEY, clock.instant(), RotationProtocol.leaseTtl(DEADLINE)).result().lease();
    leases.confirm(earlier, Secret.of("r-1").fingerprint(), clock.instant(), RotationProtocol.leaseTtl(DEADLINE));
    leases.abandon(earlier); // the holder vanished mid-call
    clock.advance(RotationProtocol.leaseTtl(DEADLINE));

    Throwable failure = rotate().cause();

    assertEquals(List.of("interrupted " + Secret.of("r-1").fingerprint()), rotation.calls, "r-1 was not sent again");
    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, ((BrokerException) failure).code());
  }

  @Test
  void aLeaseThatEndedBeforeAnyCallIsTakenOverNormally() {
    leases.acquire(KEY, clock.instant(), RotationProtocol.leaseTtl(DEADLINE));
    clock.advance(RotationProtocol.leaseTtl(DEADLINE));

    assertEquals(2, rotate().result().version());
    assertEquals(List.of("perform " + Secret.of("r-1").fingerprint()), rotation.calls);
  }

  @Test
  void aRotationThatFailsWithoutAnOutcomeLeavesItsLeaseToEnd() {
    rotation.answer = Future.failedFuture(new IllegalStateException("store exploded"));
    assertTrue(rotate().failed());

    rotation.answer = null;
    assertTrue(rotate().failed(), "the abandoned lease still holds");
    clock.advance(RotationProtocol.leaseTtl(DEADLINE));
    Throwable failure = rotate().cause();
    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, ((BrokerException) failure).code(),
        "the next holder treats the call as interrupted");
    assertEquals(2, rotation.calls.size());
    assertEquals("interrupted " + Secret.of("r-1").fingerprint(), rotation.calls.get(1));
  }

  @Test
  void aFailureBacksOffForEveryCaller() {
    rotation.answer = Future.succeededFuture(RotationProtocol.Outcome.failed(failures.decide(KEY,
        new BrokerException(ErrorCode.PROVIDER_ERROR, "500"), null, ClientGrant.INSTANCE, 0)));
    assertEquals(ErrorCode.PROVIDER_ERROR, ((BrokerException) rotate().cause()).code());
    rotation.answer = null;

    BrokerException waiting = (BrokerException) rotate().cause();

    assertEquals(ErrorCode.PROVIDER_ERROR, waiting.code());
    assertTrue(waiting.getMessage().startsWith("backing off after 1 failure(s)"), waiting.getMessage());
    assertEquals(1, rotation.calls.size());
  }

  /** A grant that is neither a refresh nor a client-credentials grant, so classification keeps the cause. */
  private enum ClientGrant implements TokenGrant {
    INSTANCE;

    @Override
    public String type() {
      return "test";
    }

    @Override
    public java.util.Map<String, String> parameters(dev.tokenbroker.provider.ProviderSpec provider) {
      return java.util.Map.of();
    }
  }
}
