package dev.tokenbroker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.rotation.RotationLeases;
import dev.tokenbroker.rotation.RotationLeases.Lease;
import dev.tokenbroker.rotation.RotationLeases.Permit;
import dev.tokenbroker.support.Await;
import dev.tokenbroker.support.BrokerExtension;
import dev.tokenbroker.support.ClusterSupport;
import dev.tokenbroker.support.TestConfigs;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster's lease table across two real Hazelcast members: only the holder ends what it holds. */
class RotationLeaseClusterTest {
  private static final TokenKey KEY = new TokenKey("rightsignature", "acme");
  private static final Duration TTL = Duration.ofSeconds(30);
  @RegisterExtension final BrokerExtension broker = BrokerExtension.withoutProvider();
  private final List<Vertx> nodes = new ArrayList<>();
  private HazelcastRotationLeases a;
  private HazelcastRotationLeases b;

  @BeforeEach
  void start() {
    nodes.addAll(broker.clusterMembers(2, 1));
    a = leases(nodes.get(0));
    b = leases(nodes.get(1));
  }

  private static HazelcastRotationLeases leases(Vertx vertx) {
    HazelcastInstance hz = ClusterSupport.hazelcast(vertx);
    Quorum quorum = Await.result(Quorum.start(vertx, hz, 1));
    return Await.result(HazelcastRotationLeases.start(vertx, Clock.systemUTC(), hz, quorum,
        dev.tokenbroker.secret.SealedBox.aesGcm(dev.tokenbroker.secret.Secret.of(TestConfigs.CLUSTER_KEY), java.util.List.of())));
  }

  private static Permit acquire(RotationLeases leases) {
    return Await.result(leases.acquire(KEY, Clock.systemUTC().instant(), TTL));
  }

  @Test
  void aReleaseByANonHolderIsRefusedAndTheLeaseStillHolds() {
    Lease held = acquire(a).lease();
    Lease forged = new Lease(KEY, "someone-else", 0);

    assertFalse(Await.result(b.release(forged)), "refused");
    assertFalse(Await.result(b.backOff(forged, 1, Clock.systemUTC().instant().plusSeconds(60),
        new BrokerException(ErrorCode.PROVIDER_ERROR, "x"), Clock.systemUTC().instant())), "refused");
    assertEquals(Permit.Kind.BUSY, acquire(b).kind(), "the lease still holds");

    assertTrue(Await.result(a.release(held)));
    assertEquals(Permit.Kind.GRANTED, acquire(b).kind());
  }

  @Test
  void clearingABackoffLeavesALeaseInProgressAlone() {
    Lease held = acquire(a).lease();

    Await.result(b.clearBackoff(KEY));

    assertEquals(Permit.Kind.BUSY, acquire(b).kind());
    assertTrue(Await.result(a.release(held)));
  }

  @Test
  void theHolderCannotConfirmALeaseTheOtherNodeTookOverAfterItEnded() {
    Lease first = Await.result(a.acquire(KEY, Clock.systemUTC().instant(), Duration.ofMillis(300))).lease();
    a.abandon(first);
    Await.until("the first lease ended", Duration.ofSeconds(10), () -> acquire(b).kind() == Permit.Kind.GRANTED);

    Throwable refused = Await.failure(a.confirm(first, null, Clock.systemUTC().instant(), TTL));

    assertEquals(ErrorCode.PROVIDER_UNAVAILABLE, ((BrokerException) refused).code());
  }

  @Test
  void aHeldLeaseIsKeptAliveBeyondItsTtlWhileTheHolderRuns() {
    Lease held = Await.result(a.acquire(KEY, Clock.systemUTC().instant(), Duration.ofMillis(600))).lease();
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    Await.until("three TTLs passed", Duration.ofSeconds(10), () -> System.nanoTime() > until);

    assertEquals(Permit.Kind.BUSY, Await.result(b.acquire(KEY, Clock.systemUTC().instant(), TTL)).kind());
    assertTrue(Await.result(a.release(held)));
  }
}
