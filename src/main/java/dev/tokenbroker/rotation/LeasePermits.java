package dev.tokenbroker.rotation;

import dev.tokenbroker.error.BrokerException;
import dev.tokenbroker.error.ErrorCode;
import dev.tokenbroker.secret.SealedBox;
import dev.tokenbroker.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Turns {@link LeaseRecords} answers into {@link RotationLeases.Permit}s and errors. */
public final class LeasePermits {
  private LeasePermits() {}

  /** The failure a backoff record keeps, sealed for the record (its code and description). */
  public static String sealError(SealedBox box, TokenKey key, BrokerException error) {
    return box.seal(context(key), new JsonObject().put("code", error.code().name()).put("description", error.getMessage()).encode());
  }

  public static RotationLeases.Permit permit(TokenKey key, String holder, JsonObject answer, SealedBox box) {
    switch (answer.getString("kind")) {
      case "granted":
        Long abandonedSince = answer.getLong("abandoned_since");
        return RotationLeases.Permit.granted(new RotationLeases.Lease(key, holder, answer.getInteger("failures", 0),
            answer.getString("abandoned_call"), abandonedSince == null ? null : Instant.ofEpochMilli(abandonedSince)));
      case "busy":
        return RotationLeases.Permit.busy();
      default:
        JsonObject failure = new JsonObject(box.open(context(key), answer.getString("error")));
        BrokerException error = new BrokerException(ErrorCode.valueOf(failure.getString("code")), failure.getString("description"));
        return RotationLeases.Permit.backingOff(answer.getInteger("failures", 0), Instant.ofEpochMilli(answer.getLong("until")), error);
    }
  }

  private static String context(TokenKey key) {
    return "token-broker.rotations/" + key.id();
  }

  /** The lease ended or was taken over before the provider call: nothing was sent. */
  public static BrokerException leaseLost(RotationLeases.Lease lease) {
    return new BrokerException(ErrorCode.PROVIDER_UNAVAILABLE, "the rotation lease of " + lease.key()
        + " ended before the provider was called; nothing was sent, try again", 1L);
  }
}
