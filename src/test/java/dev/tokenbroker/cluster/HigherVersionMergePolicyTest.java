package dev.tokenbroker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.spi.merge.MergingValue;
import org.junit.jupiter.api.Test;

/** After a partition heals the higher token version wins, whichever side it comes from. */
class HigherVersionMergePolicyTest {
  private final HigherVersionMergePolicy policy = new HigherVersionMergePolicy();

  private static MergingValue<Object> value(String json) {
    return new MergingValue<>() {
      @Override
      public Object getValue() {
        return json;
      }

      @Override
      public Object getRawValue() {
        return json;
      }
    };
  }

  @Test
  void theHigherVersionWinsFromEitherSide() {
    String v5 = "v5:sealed-on-the-smaller-side";
    String v7 = "v7:sealed-on-the-larger-side";
    assertEquals(v7, policy.merge(value(v5), value(v7)));
    assertEquals(v7, policy.merge(value(v7), value(v5)));
  }

  @Test
  void onEqualVersionsTheDestinationKeepsItsEntry() {
    String merging = "v4:failure-recorded-on-the-smaller-side";
    String existing = "v4:as-the-larger-side-has-it";
    assertEquals(existing, policy.merge(value(merging), value(existing)));
  }

  @Test
  void anUnreadableValueNeverWinsOverAReadableOne() {
    String readable = "v1:sealed";
    assertEquals(readable, policy.merge(value("garbage"), value(readable)));
    assertEquals(readable, policy.merge(value(readable), value("garbage")));
  }

  @Test
  void aMissingSideTakesTheOther() {
    String only = "v3:sealed";
    assertEquals(only, policy.merge(value(only), null));
    assertEquals(only, policy.merge(null, value(only)));
  }
}
