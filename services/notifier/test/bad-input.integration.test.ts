import { randomUUID } from "node:crypto";
import { startTestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifierService } from "../src/service.ts";
import { apiFor, type Notifier } from "./support.ts";

let service: Notifier;
beforeAll(async () => {
  service = await startTestService(notifierService);
});
afterAll(async () => {
  await service?.stop();
});

describe("bad input", () => {
  it("answers 4xx problem+json, never 5xx", async () => {
    const tenant = randomUUID();
    const admin = apiFor(service, await service.token(["admin"], tenant));
    const member = apiFor(service, await service.token(["member"], tenant));
    const slackUrl = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX";
    const cases = [
      [admin.get("/deliveries?state=lost"), 400],
      [admin.get("/deliveries?limit=0"), 400],
      [admin.get("/deliveries/not-a-uuid"), 400],
      [admin.get(`/deliveries/${randomUUID()}`), 404],
      [admin.post(`/deliveries/${randomUUID()}/retry`), 404],
      [member.get("/deliveries"), 403],
      [member.post(`/deliveries/${randomUUID()}/retry`), 403],
      [member.get(`/people/${randomUUID()}/notifications`), 403],
      [admin.post(`/people/${randomUUID()}/notifications/read`, { ids: ["x"] }), 400],
      [admin.post(`/people/${randomUUID()}/notifications/read`, { all: true }), 400],
      // Team chat channels: without ALLOW_LOCAL_WEBHOOK_URLS only https on the platform's own hosts.
      [admin.put(`/teams/not-a-uuid/channels/slack`, { url: slackUrl }), 400],
      [admin.put(`/teams/${randomUUID()}/channels/discord`, { url: slackUrl }), 400],
      [admin.put(`/teams/${randomUUID()}/channels/slack`, {}), 400],
      [admin.put(`/teams/${randomUUID()}/channels/slack`, { url: "hooks.slack.com/services/T/B/x" }), 400],
      [
        admin.put(`/teams/${randomUUID()}/channels/slack`, { url: "http://hooks.slack.com/services/T/B/x" }),
        400,
      ],
      [
        admin.put(`/teams/${randomUUID()}/channels/slack`, { url: "https://example.com/services/T/B/x" }),
        400,
      ],
      [admin.put(`/teams/${randomUUID()}/channels/teams`, { url: slackUrl }), 400],
      [admin.put(`/teams/${randomUUID()}/channels/slack`, { url: slackUrl }), 404],
      [member.put(`/teams/${randomUUID()}/channels/slack`, { url: slackUrl }), 404],
      [admin.delete(`/teams/${randomUUID()}/channels/slack`), 404],
      [admin.get(`/teams/${randomUUID()}/channels`), 404],
      // Webhook endpoints.
      [admin.post("/webhooks", { url: "not a url", eventTypes: ["*"] }), 400],
      [admin.post("/webhooks", { url: "http://example.com/hook", eventTypes: ["*"] }), 400],
      [admin.post("/webhooks", { url: "https://127.0.0.1/hook", eventTypes: ["*"] }), 400],
      [admin.post("/webhooks", { url: "https://[::1]/hook", eventTypes: ["*"] }), 400],
      [admin.post("/webhooks", { url: "https://localhost/hook", eventTypes: ["*"] }), 400],
      [admin.post("/webhooks", { url: "https://user:pw@example.com/hook", eventTypes: ["*"] }), 400],
      [admin.post("/webhooks", { url: "https://example.com/hook", eventTypes: [] }), 400],
      [admin.post("/webhooks", { url: "https://example.com/hook", eventTypes: ["okr.nothing.v1"] }), 400],
      [
        admin.post("/webhooks", {
          url: "https://example.com/hook",
          eventTypes: ["*", "okr.team.changed.v1"],
        }),
        400,
      ],
      [admin.post("/webhooks", { url: "https://example.com/hook" }), 400],
      [member.post("/webhooks", { url: "https://example.com/hook", eventTypes: ["*"] }), 403],
      [member.get("/webhooks"), 403],
      [admin.get("/webhooks/not-a-uuid"), 400],
      [admin.get(`/webhooks/${randomUUID()}`), 404],
      [admin.patch(`/webhooks/${randomUUID()}`, {}), 400],
      [admin.patch(`/webhooks/${randomUUID()}`, { url: "ftp://example.com" }), 400],
      [admin.patch(`/webhooks/${randomUUID()}`, { description: "x" }), 404],
      [admin.delete(`/webhooks/${randomUUID()}`), 404],
      [admin.post(`/webhooks/${randomUUID()}/rotate-secret`, { graceSeconds: -1 }), 400],
      [admin.post(`/webhooks/${randomUUID()}/rotate-secret`, {}), 404],
    ] as const;
    for (const [pending, status] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
    }
  });
});
