import { randomUUID } from "node:crypto";
import { GOALS_TOPICS } from "@okr/events";
import { findMessage, startTestService, type TestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GoalsDb } from "../src/database.ts";
import { goalsService } from "../src/service.ts";

let service: TestService<GoalsDb>;
beforeAll(async () => {
  service = await startTestService(goalsService);
});
afterAll(() => service.stop());

const put = async (token: string, body: unknown) =>
  service.app.inject({
    method: "PUT",
    url: "/organization",
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });

describe("organization", () => {
  it("creates the caller's organization and publishes okr.organization.created.v1 through the outbox", async () => {
    const tenantId = randomUUID();
    const response = await put(await service.token(["admin"], tenantId), {
      name: "Acme",
      mission: "Make flow visible",
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ id: tenantId, name: "Acme", mission: "Make flow visible" });

    const message = await findMessage(GOALS_TOPICS.organizations, (m) => m.key === tenantId);
    expect(JSON.parse(message.value?.toString() ?? "{}")).toMatchObject({
      type: "okr.organization.created.v1",
      tenant: tenantId,
      data: { organizationId: tenantId, name: "Acme" },
    });

    const again = await put(await service.token(["admin"], tenantId), {
      name: "Acme Corp",
      mission: "Make flow visible",
    });
    expect(again.statusCode).toBe(200);
    const read = await service.app.inject({
      url: "/organization",
      headers: { authorization: `Bearer ${await service.token(["member"], tenantId)}` },
    });
    expect(read.json().name).toBe("Acme Corp");
  });

  it("keeps tenants apart: a token for B never sees A", async () => {
    const a = randomUUID();
    await put(await service.token(["admin"], a), { name: "A", mission: "a" });
    const other = await service.app.inject({
      url: "/organization",
      headers: { authorization: `Bearer ${await service.token(["admin"])}` },
    });
    expect(other.statusCode).toBe(404);
  });

  it("rejects bad input and non-admins with problem+json, writing nothing", async () => {
    const tenantId = randomUUID();
    const missing = await put(await service.token(["admin"], tenantId), { name: "x" });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers["content-type"]).toMatch(/problem\+json/);
    const wrongType = await put(await service.token(["admin"], tenantId), { name: 5, mission: "y" });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().errors).toEqual([expect.objectContaining({ path: "/name" })]);
    const oversized = await put(await service.token(["admin"], tenantId), {
      name: "x".repeat(201),
      mission: "y",
    });
    expect(oversized.statusCode).toBe(400);
    const member = await put(await service.token(["member"], tenantId), { name: "x", mission: "y" });
    expect(member.statusCode).toBe(403);
    expect(await service.runtime.db.organization.count({ where: { id: tenantId } })).toBe(0);
    expect(await service.runtime.db.outboxEvent.count({ where: { tenant: tenantId } })).toBe(0);
  });
});
