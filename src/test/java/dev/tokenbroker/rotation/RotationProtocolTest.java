package dev.tokenbroker.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.token.RefreshTiming;
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
  private static final String R1 = Secret.of("r-1").fingerprint();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TokenPolicy policy = new TokenPolicy(new RefreshTiming(300, 0, 30, 3600, 1, 300), clock, new Random(1));
  private final FailurePolicy failures = new FailurePolicy(policy);
  private final LocalTokenStore store = new LocalTokenStore();
  private final LocalRotationLeases leases = new LocalRotationLeases();
  private final RotationProtocol protocol = new RotationProtocol(store, leases, policy, failures);
  private final Scripted rotation = new Scripted();

  /**
   * Records what the protocol asked for; marks the stored token before a call and succeeds by storing
   * the next version unless told otherwise (like the broker's own rotation).
   */
  private final class Scripted implements RotationProtocol.Rotation {
    final List<String> calls = new ArrayList<>();
    Future<RotationProtocol.Outcome> answer;
    boolean replays = true;
    /** Runs at the start of {@link #intend}, for tests that act between the intent and the call. */
    Runnable beforeIntent = () -> {};
    /** The stored token as {@link #perform} found it. */
    Token seenByCall;

    @Override
    public TokenGrant plan(Token current) {
      return new RefreshTokenGrant(current.refreshToken());
    }

    @Override
    public boolean mayReplay(TokenGrant grant) {
      return replays;
    }

    @Override
    public Future<Token> intend(Token current, TokenGrant grant) {
      beforeIntent.run();
      if (current.unansweredSince() != null) {
        return Future.succeededFuture(current);
      }
      Token marked = current.withUnansweredSince(clock.instant());
      return store.compareAndSet(KEY, current.version(), marked).map(ok -> ok ? marked : null);
    }

    @Override
    public Future<Void> withdraw(Token intended, Token current) {
      calls.add("withdraw");
      return store.compareAndSet(KEY, intended.version(), current).mapEmpty();
    }

    @Override
    public Future<RotationProtocol.Outcome> perform(Token current, TokenGrant grant, int previousFailures, Instant lostSince) {
      seenByCall = store.cached(KEY);
      calls.add("perform " + grant.refreshTokenFingerprint() + (lostSince == null ? "" : " replaying the call of " + lostSince));
      if (answer != null) {
        return answer;
      }
      Token next = token(current.version() + 1, "r-" + (current.version() + 1));
      return store.compareAndSet(KEY, current.version(), next).map(ok -> RotationProtocol.Outcome.rotated(next));
    }

    @Override
    public Future<RotationProtocol.Outcome> unreplayable(Token current, TokenGrant grant, int previousFailures,
                                                        Instant lostSince) {
      calls.add("unreplayable " + grant.refreshTokenFingerprint() + " lost since " + lostSince);
      return Future.succeededFuture(RotationProtocol.Outcome.failed(new FailurePolicy.Decision(
          new BrokerException(ErrorCode.AUTHORIZATION_REQUIRED, "lost"), previousFailures + 1, null, lostSince)));
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
    assertEquals(List.of("perform " + R1), rotation.calls);
    assertEquals(0, leases.size(), "per-key state goes when the rotation is done");
  }

  @Test
  void nobodyCallsTheProviderWhileAnotherHolderHasTheLease() {
    leases.acquire(KEY, clock.instant(), Duration.ofSeconds(60));

    Throwable failure = rotate().cause();

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, ((BrokerException) failure).code());
    assertEquals(List.of(), rotation.calls);
  }

  /** A holder that vanished mid-call with r-1, at the time it confirmed its lease. */
  private Instant holderVanishedMidCall() {
    Instant calledAt = clock.instant();
    RotationLeases.Lease earlier = leases.acquire(KEY, calledAt, RotationProtocol.leaseTtl(DEADLINE)).result().lease();
    leases.confirm(earlier, R1, calledAt, RotationProtocol.leaseTtl(DEADLINE));
    leases.abandon(earlier);
    return calledAt;
  }

  @Test
  void aRefreshTokenIsNeverSentWhileAnEarlierCallWithItMayBeInFlight() {
    holderVanishedMidCall();

    clock.advance(RotationProtocol.leaseTtl(DEADLINE).minusMillis(1));
    Throwable failure = rotate().cause();

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, ((BrokerException) failure).code());
    assertEquals(List.of(), rotation.calls, "r-1 is not sent while the earlier call's lease lasts");
  }

  @Test
  void aCallInterruptedMidFlightIsReplayedByTheNextHolderNamingTheLostCall() {
    Instant calledAt = holderVanishedMidCall();
    clock.advance(RotationProtocol.leaseTtl(DEADLINE));

    assertEquals(2, rotate().result().version());

    assertEquals(List.of("perform " + R1 + " replaying the call of " + calledAt), rotation.calls);
  }

  @Test
  void aCallInterruptedMidFlightIsNeverRepeatedWhenTheProviderForbidsReplays() {
    Instant calledAt = holderVanishedMidCall();
    clock.advance(RotationProtocol.leaseTtl(DEADLINE));
    rotation.replays = false;

    Throwable failure = rotate().cause();

    assertEquals(List.of("unreplayable " + R1 + " lost since " + calledAt), rotation.calls, "r-1 was not sent again");
    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, ((BrokerException) failure).code());
    assertEquals(0, leases.size(), "nothing left to retry: the lease is released");
  }

  @Test
  void aCallIsWrittenDownOnTheStoredTokenBeforeItIsMade() {
    rotate().result();

    assertEquals(clock.instant(), rotation.seenByCall.unansweredSince(), "the stored token says a call is under way");
    assertEquals(null, store.cached(KEY).unansweredSince(), "the answer's token carries no mark");
  }

  @Test
  void aMarkLeftOnTheStoredTokenByACrashMidCallMakesTheNextCallAReplay() {
    Instant crashedAt = clock.instant();
    store.compareAndSet(KEY, 1, store.cached(KEY).withUnansweredSince(crashedAt)); // as read back after a full restart
    clock.advance(Duration.ofMinutes(3));

    assertEquals(2, rotate().result().version());

    assertEquals(List.of("perform " + R1 + " replaying the call of " + crashedAt), rotation.calls);
  }

  @Test
  void aMarkLeftOnTheStoredTokenByACrashMidCallIsNeverSentAgainWhenTheProviderForbidsReplays() {
    Instant crashedAt = clock.instant();
    store.compareAndSet(KEY, 1, store.cached(KEY).withUnansweredSince(crashedAt));
    rotation.replays = false;

    assertEquals(ErrorCode.AUTHORIZATION_REQUIRED, ((BrokerException) rotate().cause()).code());

    assertEquals(List.of("unreplayable " + R1 + " lost since " + crashedAt), rotation.calls);
  }

  @Test
  void aCallThatIsNotMadeAfterItsIntentWithdrawsTheMark() {
    // the lease ends between the intent and the call (a long pause): the call is not made
    rotation.beforeIntent = () -> clock.advance(RotationProtocol.leaseTtl(DEADLINE).plusSeconds(1));

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, ((BrokerException) rotate().cause()).code());

    assertEquals(List.of("withdraw"), rotation.calls, "no call was made");
    assertEquals(null, store.cached(KEY).unansweredSince(), "nothing was sent, so nothing is unanswered");
  }

  @Test
  void aTokenWhoseAnswerArrivedIsNeverSentAgain() {
    assertEquals(2, rotate().result().version());
    assertEquals(3, rotate().result().version());

    assertEquals(List.of("perform " + R1, "perform " + Secret.of("r-2").fingerprint()), rotation.calls,
        "each refresh token was sent once, and only before its answer arrived");
  }

  @Test
  void aLeaseThatEndedBeforeAnyCallIsTakenOverNormally() {
    leases.acquire(KEY, clock.instant(), RotationProtocol.leaseTtl(DEADLINE));
    clock.advance(RotationProtocol.leaseTtl(DEADLINE));

    assertEquals(2, rotate().result().version());
    assertEquals(List.of("perform " + R1), rotation.calls);
  }

  @Test
  void aRotationThatFailsWithoutAnOutcomeLeavesItsLeaseToEnd() {
    rotation.answer = Future.failedFuture(new IllegalStateException("store exploded"));
    assertTrue(rotate().failed());

    rotation.answer = null;
    assertTrue(rotate().failed(), "the abandoned lease still holds");
    clock.advance(RotationProtocol.leaseTtl(DEADLINE));
    assertEquals(2, rotate().result().version(), "the next holder replays the call whose outcome is unknown");
    assertEquals(2, rotation.calls.size());
    assertTrue(rotation.calls.get(1).startsWith("perform " + R1 + " replaying the call of "), rotation.calls.get(1));
  }

  @Test
  void aFailureBacksOffForEveryCaller() {
    rotation.answer = Future.succeededFuture(RotationProtocol.Outcome.failed(failures.decide(new RefreshAttempt(KEY, null,
        ClientGrant.INSTANCE, store.cached(KEY), 0, clock.instant(), null), new BrokerException(ErrorCode.PROVIDER_ERROR, "500"))));
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
