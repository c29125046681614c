package dev.tokenbroker.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * The token map's merge rule after a partition heals: the entry with the higher token version
 * wins; on equal versions the destination cluster's entry stays. A value that cannot be read
 * never wins over one that can. None of Hazelcast's built-in policies knows a token version: the
 * latest update, for instance, would let the smaller side's failure record overwrite a newer
 * rotation made by the larger side.
 */
public final class HigherVersionMergePolicy implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {
  private static final long serialVersionUID = 1L;

  @Override
  public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
    if (merging == null) {
      return existing == null ? null : existing.getRawValue();
    }
    if (existing == null) {
      return merging.getRawValue();
    }
    return version(merging) > version(existing) ? merging.getRawValue() : existing.getRawValue();
  }

  private static long version(MergingValue<Object> value) {
    try {
      Object v = value.getValue();
      return v instanceof String text ? SealedTokens.versionOf(text) : -1;
    } catch (RuntimeException unreadable) {
      return -1;
    }
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // stateless
  }

  @Override
  public void readData(ObjectDataInput in) {
    // stateless
  }
}
