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
    ] as const;
    for (const [pending, status] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
    }
  });
});
