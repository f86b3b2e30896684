import type { SqlRunner } from "@okr/database";
import type { ClaimedEmail } from "../repositories/deliveries.ts";
import { applyGateDecisions, gateInputs } from "../repositories/gating.ts";
import { DIGEST_EVENT_TYPE } from "../rules/digest.ts";
import { type GateDecision, gateEmail } from "../rules/gate.ts";
import { effectivePreferences } from "../rules/preferences.ts";

/**
 * Applies each recipient's preferences to the emails a sender claimed: answers those to send now and
 * records the rest (deferred to the end of quiet hours or an absence, held for a digest, skipped). The
 * decision is taken at send time, not when the delivery is written, so preferences changed in between
 * count.
 */
export async function gateClaimed(
  tx: SqlRunner,
  claimed: ClaimedEmail[],
  now: Date,
): Promise<ClaimedEmail[]> {
  const inputs = new Map(
    (
      await gateInputs(
        tx,
        claimed.map((email) => email.id),
      )
    ).map((input) => [input.id, input]),
  );
  const waiting: { id: string; decision: Exclude<GateDecision, { action: "send" }> }[] = [];
  const send = claimed.filter((email) => {
    const input = inputs.get(email.id);
    if (!input) return true;
    const decision = gateEmail(
      {
        isDigest: input.eventType === DIGEST_EVENT_TYPE,
        dueAt: input.dueAt ? new Date(input.dueAt) : null,
        deferredReason: input.deferredReason,
      },
      effectivePreferences(input.own, input.tenant, input.replicaZone),
      now,
    );
    if (decision.action === "send") return true;
    waiting.push({ id: email.id, decision });
    return false;
  });
  await applyGateDecisions(tx, waiting);
  return send;
}
