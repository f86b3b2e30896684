import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ObjectiveUpserted, PersonChanged, TeamChanged } from "@okr/events";
import { waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { OutboundSender } from "../src/delivery/outbound.ts";
import { type Receiver, startReceiver } from "./receiver.ts";
import { verifyWebhook } from "./standard-webhooks.ts";
import { apiFor, objectiveUpserted, personChanged, publish, teamChanged, useNotifier } from "./support.ts";

const notifier = useNotifier({
  ALLOW_LOCAL_WEBHOOK_URLS: "true",
  SENDER_POLL_MS: "100",
  DELIVERY_BACKOFF_MS: "50",
  DELIVERY_MAX_BACKOFF_MS: "400",
  WEBHOOK_MAX_ATTEMPTS: "12",
});

async function withReceiver(test: (receiver: Receiver) => Promise<void>) {
  const receiver = await startReceiver();
  try {
    await test(receiver);
  } finally {
    await receiver.close();
  }
}

async function adminOf(tenant: string) {
  return apiFor(notifier.service, await notifier.service.token(["admin"], tenant));
}

/** An endpoint of `tenant` for `eventTypes` at the receiver; its id and secret. */
async function endpointFor(tenant: string, receiver: Receiver, eventTypes: string[]) {
  const response = await (await adminOf(tenant)).post("/webhooks", { url: receiver.url(), eventTypes });
  expect(response.status).toBe(201);
  const { id, secret } = response.json() as { id: string; secret: string };
  return { id, secret };
}

/** The endpoint's deliveries in the order they must be sent. */
async function deliveriesTo(endpointId: string) {
  const { rows } = await notifier.service.runtime.pool.query<{
    id: string;
    event_id: string;
    state: string;
    attempts: number;
  }>("select id, event_id, state, attempts from deliveries where recipient_id = $1 order by ordering_seq", [
    endpointId,
  ]);
  return rows;
}

const bodies = (receiver: Receiver) => receiver.received.map((request) => JSON.parse(request.body));
const versionsOf = (receiver: Receiver, objectiveId: string) =>
  bodies(receiver)
    .filter((event) => event.data.objectiveId === objectiveId)
    .map((event) => event.data.version);

describe("outbound webhooks", () => {
  it("sends each subscribed event of the tenant once, signed per Standard Webhooks, though it arrives twice", () =>
    withReceiver(async (receiver) => {
      const tenant = randomUUID();
      const { id, secret } = await endpointFor(tenant, receiver, [TeamChanged.type]);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const admin = await adminOf(tenant);
      const listed = await admin.get("/webhooks");
      expect(listed.json().items.map((e: { id: string }) => e.id)).toEqual([id]);
      expect(JSON.stringify(listed.json())).not.toContain(secret.slice(6));
      expect((await admin.get(`/webhooks/${id}`)).json().secrets).toEqual([
        { createdAt: expect.any(String), expiresAt: null },
      ]);

      const team = teamChanged();
      const eventId = randomUUID();
      await publish(notifier.producer, TeamChanged, team, tenant, { id: eventId });
      await publish(notifier.producer, TeamChanged, team, tenant, { id: eventId });
      await publish(notifier.producer, PersonChanged, personChanged(), tenant);
      await publish(notifier.producer, TeamChanged, teamChanged(), randomUUID());
      // A later event of the same team (same partition): once it arrives, the copy was consumed before it.
      const later = await publish(notifier.producer, TeamChanged, { ...team, name: "Renamed" }, tenant);
      await waitFor("the later event", () => bodies(receiver).some((event) => event.id === later.id));

      expect(receiver.received.map((request) => request.headers["webhook-id"])).toEqual([eventId, later.id]);
      for (const request of receiver.received) {
        expect(request.headers["content-type"]).toBe("application/json");
        expect(verifyWebhook(secret, request.headers, request.body)).toBe(true);
        expect(
          verifyWebhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`, request.headers, request.body),
        ).toBe(false);
      }
      expect(bodies(receiver).map((event) => [event.type, event.tenant, event.data.name])).toEqual([
        [TeamChanged.type, tenant, team.name],
        [TeamChanged.type, tenant, "Renamed"],
      ]);
      expect((await deliveriesTo(id)).map((d) => d.state)).toEqual(["sent", "sent"]);
    }));

  it("gives a receiver that was down everything afterwards, in order per key", () =>
    withReceiver(async (receiver) => {
      const tenant = randomUUID();
      const { id, secret } = await endpointFor(tenant, receiver, [ObjectiveUpserted.type]);
      await receiver.down();
      const [a, b] = [randomUUID(), randomUUID()];
      for (let version = 1; version <= 5; version++)
        for (const objectiveId of [a, b])
          await publish(
            notifier.producer,
            ObjectiveUpserted,
            objectiveUpserted({ kind: "person", id: randomUUID() }, { objectiveId, version }),
            tenant,
          );
      await waitFor("each key's first delivery to be tried again and again", async () => {
        const rows = await deliveriesTo(id);
        return rows.length === 10 && rows.filter((d) => d.attempts >= 2).length === 2;
      });
      // Only the first of each key is tried while the receiver is away; the later ones wait untried.
      const waiting = await deliveriesTo(id);
      expect(waiting.filter((d) => d.attempts > 0)).toHaveLength(2);
      expect(waiting.every((d) => d.state === "pending")).toBe(true);

      // Two more senders (as two more replicas would run) beside the service's own: order holds across them.
      const replicas = [
        new OutboundSender(notifier.service.runtime),
        new OutboundSender(notifier.service.runtime),
      ];
      for (const sender of replicas) sender.start();
      try {
        await receiver.up();
        await waitFor("all ten events", () => receiver.received.length >= 10, 30_000);
      } finally {
        for (const sender of replicas) await sender.stop();
      }
      expect(versionsOf(receiver, a)).toEqual([1, 2, 3, 4, 5]);
      expect(versionsOf(receiver, b)).toEqual([1, 2, 3, 4, 5]);
      expect(receiver.received.every((request) => verifyWebhook(secret, request.headers, request.body))).toBe(
        true,
      );
    }));

  it("holds a key's later events behind a parked one until the API retries it", () =>
    withReceiver(async (receiver) => {
      const tenant = randomUUID();
      const { id } = await endpointFor(tenant, receiver, [ObjectiveUpserted.type]);
      receiver.answer(500);
      const objectiveId = randomUUID();
      for (const version of [1, 2])
        await publish(
          notifier.producer,
          ObjectiveUpserted,
          objectiveUpserted({ kind: "person", id: randomUUID() }, { objectiveId, version }),
          tenant,
        );
      await waitFor(
        "the first to be parked",
        async () => (await deliveriesTo(id))[0]?.state === "parked",
        30_000,
      );
      const [first, second] = await deliveriesTo(id);
      expect(first?.attempts).toBe(12);
      expect(second).toMatchObject({ state: "pending", attempts: 0 });

      receiver.answer(200);
      await sleep(500);
      expect(await deliveriesTo(id)).toMatchObject([{ state: "parked" }, { state: "pending", attempts: 0 }]);
      expect(receiver.received).toHaveLength(0);

      const retried = await (await adminOf(tenant)).post(`/deliveries/${first?.id}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.json()).toMatchObject({ channel: "webhook", recipientId: id, state: "pending" });
      await waitFor("both events", () => receiver.received.length === 2);
      expect(versionsOf(receiver, objectiveId)).toEqual([1, 2]);
    }));

  it("signs with the old secret beside the new one for the rotation's grace period", () =>
    withReceiver(async (receiver) => {
      const tenant = randomUUID();
      const admin = await adminOf(tenant);
      const { id, secret: first } = await endpointFor(tenant, receiver, ["*"]);
      const rotated = await admin.post(`/webhooks/${id}/rotate-secret`, { graceSeconds: 3600 });
      expect(rotated.status).toBe(200);
      const second = rotated.json().secret as string;
      expect(second).not.toBe(first);
      expect(rotated.json().secrets.map((s: { expiresAt: string | null }) => s.expiresAt === null)).toEqual([
        true,
        false,
      ]);

      const team = teamChanged();
      await publish(notifier.producer, TeamChanged, team, tenant);
      await waitFor("the event in grace", () => receiver.received.length === 1);
      const inGrace = receiver.received[0]!;
      expect(String(inGrace.headers["webhook-signature"]).split(" ")).toHaveLength(2);
      expect(verifyWebhook(first, inGrace.headers, inGrace.body)).toBe(true);
      expect(verifyWebhook(second, inGrace.headers, inGrace.body)).toBe(true);

      const third = (await admin.post(`/webhooks/${id}/rotate-secret`, { graceSeconds: 0 })).json().secret;
      await publish(notifier.producer, TeamChanged, { ...team, name: "After" }, tenant);
      await waitFor("the event after the grace", () => receiver.received.length === 2);
      const after = receiver.received[1]!;
      expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
      expect(verifyWebhook(third, after.headers, after.body)).toBe(true);
      expect(verifyWebhook(second, after.headers, after.body)).toBe(false);
      expect(verifyWebhook(first, after.headers, after.body)).toBe(false);
    }));

  it("skips what was waiting for an endpoint that is removed, and changes an endpoint's types", () =>
    withReceiver(async (receiver) => {
      const tenant = randomUUID();
      const admin = await adminOf(tenant);
      const { id } = await endpointFor(tenant, receiver, [PersonChanged.type]);
      const patched = await admin.patch(`/webhooks/${id}`, { eventTypes: [TeamChanged.type] });
      expect(patched.status).toBe(200);
      expect(patched.json().eventTypes).toEqual([TeamChanged.type]);
      await receiver.down();
      await publish(notifier.producer, TeamChanged, teamChanged(), tenant);
      await waitFor(
        "the delivery to be tried",
        async () => ((await deliveriesTo(id))[0]?.attempts ?? 0) >= 1,
      );
      expect((await admin.delete(`/webhooks/${id}`)).status).toBe(204);
      expect((await admin.get(`/webhooks/${id}`)).status).toBe(404);
      const [skipped] = await deliveriesTo(id);
      expect(skipped?.state).toBe("skipped");
      const view = await admin.get(`/deliveries/${skipped?.id}`);
      expect(view.json()).toMatchObject({ channel: "webhook", skipReason: "endpoint-removed" });
    }));
});
