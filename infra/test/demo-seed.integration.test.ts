import type { AddressInfo } from "node:net";
import { goalsService } from "@okr/goals-service/service";
import { startTestService } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT_ID, seedDemoOrganization } from "../demo/seed.ts";

/** A JSON answer: the assertions read fields freely. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are untyped JSON checked by the assertions
type Json = any;

const startGoals = () => startTestService(goalsService);
let service: Awaited<ReturnType<typeof startGoals>>;
let goalsUrl: string;
beforeAll(async () => {
  service = await startGoals();
  await service.app.listen({ host: "127.0.0.1", port: 0 });
  goalsUrl = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
});
afterAll(() => service.stop());

describe("demo seed", () => {
  it("builds a realistic company through the API, and a second run changes nothing", async () => {
    const token = await service.token(["admin"], DEMO_TENANT_ID);
    expect(await seedDemoOrganization({ goalsUrl, token })).toEqual({ name: "Acme Flow" });
    const db = service.runtime.db;
    const tenantId = DEMO_TENANT_ID;
    const teams = await db.team.findMany({ where: { tenantId } });
    expect(teams).toHaveLength(30);
    const parents = new Map(teams.map((t) => [t.id, t.parentTeamId]));
    const depth = (id: string): number => (parents.get(id) ? 1 + depth(parents.get(id) as string) : 1);
    expect(Math.max(...teams.map((t) => depth(t.id)))).toBe(4);
    expect(await db.person.count({ where: { tenantId } })).toBe(150);
    const objectives = await db.objective.findMany({ where: { tenantId } });
    expect(objectives).toHaveLength(90);
    expect(objectives.every((o) => o.state === "approved")).toBe(true);
    expect(objectives.filter((o) => o.contributesToKeyResultId).length).toBe(29);
    const checkIns = await db.checkIn.count({ where: { tenantId } });
    expect(checkIns).toBeGreaterThan(1000);

    const tree = await service.app.inject({
      url: `/cycles/${objectives[0]?.cycleId}/alignment-tree`,
      headers: { authorization: `Bearer ${token}` },
    });
    // The three company objectives, plus each team's own objective (aligned to the mission alone).
    const roots = tree.json().roots;
    expect(roots).toHaveLength(3 + 29);
    const company = roots.filter((node: Json) =>
      node.keyResults.some((kr: Json) => kr.contributors.length > 0),
    );
    expect(company.length).toBeGreaterThanOrEqual(3);
    expect(tree.json().mission).toMatch(/working software/);

    await seedDemoOrganization({ goalsUrl, token });
    expect(await db.team.count({ where: { tenantId } })).toBe(30);
    expect(await db.checkIn.count({ where: { tenantId } })).toBe(checkIns);
  });
});
