package dev.tokenbroker.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tokenbroker.rotation.LeaseRecords.Change;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The lease table's rules, one record at a time, without Vert.x or Hazelcast. */
class LeaseRecordsTest {
  private static final long NOW = 1_000_000;
  private static final long TTL = 12_000;

  private static String held(String holder) {
    return LeaseRecords.acquire(null, holder, NOW, TTL).value();
  }

  @Test
  void aKeyWithoutRecordIsGranted() {
    Change change = LeaseRecords.acquire(null, "a", NOW, TTL);
    assertEquals(Change.Kind.WRITE, change.kind());
    assertEquals("granted", change.answer().getString("kind"));
    assertEquals(NOW + TTL, new JsonObject(change.value()).getLong("until"));
  }

  @Test
  void aLiveLeaseMakesEveryoneElseWait() {
    Change change = LeaseRecords.acquire(held("a"), "b", NOW + TTL - 1, TTL);
    assertEquals(Change.Kind.KEEP, change.kind());
    assertEquals("busy", change.answer().getString("kind"));
  }

  @Test
  void aReleaseByANonHolderIsRefusedAndChangesNothing() {
    Change change = LeaseRecords.release(held("a"), "b");
    assertEquals(Change.Kind.KEEP, change.kind());
    assertFalse(change.answer().getBoolean("ok"));
    assertTrue(LeaseRecords.release(held("a"), "a").answer().getBoolean("ok"));
    assertEquals(Change.Kind.REMOVE, LeaseRecords.release(held("a"), "a").kind());
  }

  @Test
  void aBackoffByANonHolderIsRefusedAndChangesNothing() {
    Change change = LeaseRecords.backOff(held("a"), "b", 1, NOW + 5000, "sealed-error", NOW);
    assertEquals(Change.Kind.KEEP, change.kind());
    assertFalse(change.answer().getBoolean("ok"));
  }

  @Test
  void onlyTheHolderConfirmsOrExtendsAndOnlyWhileTheLeaseLasts() {
    assertFalse(LeaseRecords.confirm(held("a"), "b", "fp", NOW, TTL).answer().getBoolean("ok"));
    assertFalse(LeaseRecords.extend(held("a"), "b", NOW, TTL).answer().getBoolean("ok"));
    assertFalse(LeaseRecords.confirm(held("a"), "a", "fp", NOW + TTL, TTL).answer().getBoolean("ok"), "ended");
    Change confirmed = LeaseRecords.confirm(held("a"), "a", "fp", NOW + 1000, TTL);
    assertTrue(confirmed.answer().getBoolean("ok"));
    assertEquals(NOW + 1000 + TTL, new JsonObject(confirmed.value()).getLong("until"), "the call starts a full TTL");
    assertEquals("fp", new JsonObject(confirmed.value()).getString("calling"));
  }

  @Test
  void theHolderAfterAnEndedLeaseLearnsOfTheInterruptedCall() {
    String calling = LeaseRecords.confirm(held("a"), "a", "fp-1", NOW, TTL).value();
    Change next = LeaseRecords.acquire(calling, "b", NOW + TTL, TTL);
    assertEquals("granted", next.answer().getString("kind"));
    assertEquals("fp-1", next.answer().getString("abandoned_call"));
    assertNull(LeaseRecords.acquire(held("a"), "b", NOW + TTL, TTL).answer().getString("abandoned_call"),
        "a lease that ended before any call tells of none");
  }

  @Test
  void aBackoffRefusesUntilItsTimeAndKeepsTheFailureCount() {
    String backoff = LeaseRecords.backOff(held("a"), "a", 3, NOW + 5000, "sealed-error", NOW).value();
    Change early = LeaseRecords.acquire(backoff, "b", NOW + 4999, TTL);
    assertEquals("backoff", early.answer().getString("kind"));
    assertEquals(3, early.answer().getInteger("failures"));
    Change later = LeaseRecords.acquire(backoff, "b", NOW + 5000, TTL);
    assertEquals("granted", later.answer().getString("kind"));
    assertEquals(3, later.answer().getInteger("failures"));
  }

  @Test
  void clearingABackoffNeverRemovesALease() {
    assertEquals(Change.Kind.KEEP, LeaseRecords.clearBackoff(held("a")).kind());
    String backoff = LeaseRecords.backOff(held("a"), "a", 1, NOW + 5000, "sealed-error", NOW).value();
    assertEquals(Change.Kind.REMOVE, LeaseRecords.clearBackoff(backoff).kind());
  }
}
