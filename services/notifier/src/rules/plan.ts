import { emailSkipReason, type KnownPerson, type SkipReason } from "./recipients.ts";
import type { RenderedMessage } from "./template.ts";

/** email and in-app are per person; slack and teams per team channel; webhook per endpoint. */
export type Channel = "email" | "in-app" | "slack" | "teams" | "webhook";
export type DeliveryState = "pending" | "sent" | "skipped" | "parked" | "held" | "digested";

/** A delivery to write for one recipient and channel of an event. */
export interface PlannedDelivery {
  recipientId: string;
  channel: Channel;
  state: DeliveryState;
  skipReason: SkipReason | null;
  address: string | null;
  message: RenderedMessage;
}

/**
 * The deliveries of one event: per recipient an in-app entry (their inbox; delivered by being written)
 * and an email, pending when the person can be mailed and skipped with the reason otherwise (`stale`
 * for an event too old to mail). A removed person gets neither channel (skipped both: the record says
 * the event was for them).
 */
export function planDeliveries(
  recipientIds: string[],
  people: Map<string, KnownPerson>,
  render: (name: string) => RenderedMessage,
  options: { stale: boolean } = { stale: false },
): PlannedDelivery[] {
  return recipientIds.flatMap((recipientId) => {
    const person = people.get(recipientId);
    const message = render(person?.name ?? "");
    const personal = emailSkipReason(person);
    const removed = personal === "removed";
    const reason = personal ?? (options.stale ? "stale" : null);
    return [
      {
        recipientId,
        channel: "in-app" as const,
        state: removed ? ("skipped" as const) : ("sent" as const),
        skipReason: removed ? reason : null,
        address: null,
        message,
      },
      {
        recipientId,
        channel: "email" as const,
        state: reason ? ("skipped" as const) : ("pending" as const),
        skipReason: reason,
        address: reason ? null : (person?.email?.trim() ?? null),
        message,
      },
    ];
  });
}
