import { GOALS_TOPICS } from "@okr/events";
import { findMessage } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import {
  advance,
  createOrganization,
  draftMemberObjectives,
  draftObjective,
  type Json,
  measurableKr,
  objectiveDraft,
  startGoalsWithOrganizations,
} from "./support.ts";

const { service, orgs } = await startGoalsWithOrganizations(["Acme"]);
const [org] = orgs;

const eventOn = async (topic: string, predicate: (event: Json) => boolean) => {
  const message = await findMessage(topic, (m) => {
    try {
      return predicate(JSON.parse(m.value?.toString() ?? "{}"));
    } catch {
      return false;
    }
  });
  return JSON.parse(message.value?.toString() ?? "{}");
};

describe("objectives and key results", () => {
  it("drafts an objective with key results and publishes both upserts", async () => {
    const created = await org.member.post(
      "/objectives",
      objectiveDraft(org, {
        title: "Ship every week",
        keyResults: [
          measurableKr(),
          measurableKr("Deploys per week", { type: "increase-to", baseline: 1, target: 5 }),
        ],
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: "draft",
      owner: { kind: "team", id: org.teamId },
      score: null,
    });
    expect(created.body.keyResults).toHaveLength(2);
    const event = await eventOn(GOALS_TOPICS.objectives, (e) => e.data?.objectiveId === created.body.id);
    expect(event).toMatchObject({
      type: "okr.objective.upserted.v1",
      tenant: org.admin.tenantId,
      data: { state: "draft", version: 1 },
    });
    const kr = await eventOn(
      GOALS_TOPICS.keyResults,
      (e) => e.data?.keyResultId === created.body.keyResults[1].id,
    );
    expect(kr).toMatchObject({
      type: "okr.key-result.upserted.v1",
      data: { type: "increase-to", target: 5 },
    });
  });

  it("links a carried key result to the one it continues: another cycle's, of this tenant, fixed once created", async () => {
    const earlier = await draftObjective(org, { title: "Cut lead time" }, org.admin);
    const from: string = earlier.keyResults[0].id;
    const now = Date.now();
    const next = await org.admin.ok("POST", "/cycles", {
      name: `next-${from.slice(-8)}`,
      startsAt: new Date(now + 60 * 86_400_000).toISOString(),
      endsAt: new Date(now + 150 * 86_400_000).toISOString(),
      timeZone: "Europe/Berlin",
    });
    const draft = (cycleId: string, carriedFromKeyResultId: string) =>
      org.admin.post(
        "/objectives",
        objectiveDraft(org, {
          cycleId,
          title: "Cut lead time further",
          keyResults: [measurableKr("Lead time", { baseline: 12, carriedFromKeyResultId })],
        }),
      );

    // Unknown (or another tenant's) key result: 404; one of the same cycle: 422. Nothing is created.
    const other = await createOrganization(service, "Other");
    const theirs = await draftObjective(other, { title: "Theirs" }, other.admin);
    expect((await draft(next.id, theirs.keyResults[0].id)).status).toBe(404);
    const sameCycle = await draft(org.cycleId, from);
    expect(sameCycle.status).toBe(422);
    expect(sameCycle.body.errors).toEqual([
      expect.objectContaining({
        code: "key-result-carried-within-cycle",
        path: "/keyResults/0/carriedFromKeyResultId",
      }),
    ]);
    expect((await org.admin.get(`/objectives?cycleId=${next.id}`)).body.items).toEqual([]);

    const carried = await draft(next.id, from);
    expect(carried.status).toBe(201);
    const kr = carried.body.keyResults[0];
    expect(kr).toMatchObject({ carriedFromKeyResultId: from, baseline: 12, cycleId: next.id });
    const event = await eventOn(GOALS_TOPICS.keyResults, (e) => e.data?.keyResultId === kr.id);
    expect(event.data).toMatchObject({ carriedFromKeyResultId: from, baseline: 12 });
    // ...and announced on its own topic, for what is tied to the old key result to follow.
    const carry = await eventOn(GOALS_TOPICS.carriedKeyResults, (e) => e.data?.keyResultId === kr.id);
    expect(carry).toMatchObject({
      type: "okr.key-result.carried-forward.v1",
      tenant: org.admin.tenantId,
      data: {
        keyResultId: kr.id,
        objectiveId: carried.body.id,
        cycleId: next.id,
        carriedFromKeyResultId: from,
        carriedFromCycleId: org.cycleId,
      },
    });
    // A change to the definition keeps the link (and it cannot be set through a change).
    expect((await org.admin.patch(`/key-results/${kr.id}`, { carriedFromKeyResultId: from })).status).toBe(
      400,
    );
    const changed = await org.admin.ok("PATCH", `/key-results/${kr.id}`, { target: 4 });
    expect(changed).toMatchObject({ carriedFromKeyResultId: from, target: 4, version: 2 });
    // The key result it continues is untouched, and links to nothing.
    expect(await org.admin.ok("GET", `/key-results/${from}`)).toMatchObject({
      carriedFromKeyResultId: null,
      baseline: 20,
      version: 1,
    });
  });

  it("rejects a key result without measurable value, with a hint to rewrite it", async () => {
    const response = await org.member.post(
      "/objectives",
      objectiveDraft(org, {
        title: "Be better",
        kind: "aspirational",
        keyResults: [{ title: "Improve quality", type: "increase-to" }],
      }),
    );
    expect(response.status).toBe(422);
    expect(response.body.type).toMatch(/key-result-not-measurable/);
    expect(response.body.detail).toMatch(/rewrite the key result/);
    expect(response.body.errors[0].path).toBe("/keyResults/0/target");
  });

  it("walks draft -> submitted -> approved -> closed, with the right people, publishing state changes", async () => {
    const ids = await draftMemberObjectives(org, "Person objective");
    const id = ids[0] as string;
    expect((await org.outsider.post(`/objectives/${id}/submit`)).status).toBe(403);
    const early = await org.leader.post(`/objectives/${id}/approve`);
    expect(early.status).toBe(409); // a draft cannot be approved
    expect(early.body.detail).toMatch(/cannot approve an objective that is draft/);
    // Workflows call transitions without a body.
    const noBody = await org.member.call("POST", `/objectives/${ids[1]}/submit`);
    expect(noBody.status).toBe(200);
    const submitted = await org.member.post(`/objectives/${id}/submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body.state).toBe("submitted");
    expect((await org.member.post(`/objectives/${id}/approve`)).status).toBe(403); // nobody approves their own
    expect((await org.leader.post(`/objectives/${id}/return`, {})).status).toBe(400);
    const returned = await org.leader.post(`/objectives/${id}/return`, { reason: "name the customer" });
    expect(returned.body).toMatchObject({ state: "returned", returnReason: "name the customer" });
    await org.member.ok("POST", `/objectives/${id}/submit`);
    const approved = await org.leader.post(`/objectives/${id}/approve`);
    expect(approved.body.state).toBe("approved");
    const again = await org.leader.post(`/objectives/${id}/approve`);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(approved.body.version);
    const event = await eventOn(
      GOALS_TOPICS.objectives,
      (e) =>
        e.type === "okr.objective.state-changed.v1" && e.data.objectiveId === id && e.data.to === "approved",
    );
    expect(event.data).toMatchObject({ from: "submitted", actorId: org.leader.subject });
    const audit = await org.admin.get(`/audit?entityId=${id}`);
    expect(audit.body.items.map((entry: { action: string }) => entry.action)).toEqual([
      "objective.created",
      "objective.submit",
      "objective.return",
      "objective.submit",
      "objective.approve",
    ]);
  });

  it("enforces the objectives-per-owner limit: rejecting by default, warning when the policy says so", async () => {
    const own = await createOrganization(service, "Limits");
    const draft = (title: string) => own.member.post("/objectives", objectiveDraft(own, { title }));
    for (const n of [1, 2, 3, 4, 5]) expect((await draft(`O${n}`)).status).toBe(201);
    const sixth = await draft("O6");
    expect(sixth.status).toBe(422);
    expect(sixth.body.detail).toMatch(/at most 5 objectives/);
    await own.admin.ok("PUT", "/organization/policy", {
      objectivesPerOwner: { min: 3, max: 5, enforcement: "warn" },
      keyResultsPerObjective: { min: 1, max: 3, enforcement: "reject" },
      scoringPolicyId: "default",
      checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
    });
    const warned = await draft("O6");
    expect(warned.status).toBe(201);
    expect(warned.body.warnings[0].code).toBe("too-many-objectives");
    // KR minimum is checked at submit.
    const submit = await own.member.post(`/objectives/${warned.body.id}/submit`);
    expect(submit.status).toBe(422);
    expect(submit.body.type).toMatch(/too-few-key-results/);
  });

  it("aligns within the cycle only and never forms a loop", async () => {
    const top = await draftObjective(
      org,
      { title: "Top", owner: { kind: "team", id: org.rootTeamId } },
      org.leader,
    );
    const middle = await org.member.ok(
      "POST",
      "/objectives",
      objectiveDraft(org, { title: "Middle", contributesToKeyResultId: top.keyResults[0].id }),
    );
    const loop = await org.leader.patch(`/objectives/${top.id}`, { alignedToObjectiveId: middle.id });
    expect(loop.status).toBe(422);
    expect(loop.body.type).toMatch(/alignment-cycle/);
    const self = await org.leader.patch(`/objectives/${top.id}`, {
      contributesToKeyResultId: top.keyResults[0].id,
    });
    expect(self.status).toBe(422);

    const next = await org.admin.ok("POST", "/cycles", {
      name: `next-${Date.now()}`,
      startsAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 180 * 86_400_000).toISOString(),
      timeZone: "UTC",
    });
    const cross = await org.leader.post(
      "/objectives",
      objectiveDraft(org, {
        cycleId: next.id,
        title: "Elsewhere",
        owner: { kind: "team", id: org.rootTeamId },
        alignedToObjectiveId: top.id,
      }),
    );
    expect(cross.status).toBe(422);
    expect(cross.body.type).toMatch(/alignment-cross-cycle/);

    const changed = await eventOn(
      GOALS_TOPICS.objectives,
      (e) => e.type === "okr.objective.alignment-changed.v1" && e.data.objectiveId === middle.id,
    );
    expect(changed.data).toMatchObject({
      contributesToKeyResultId: top.keyResults[0].id,
      previousContributesToKeyResultId: null,
    });

    const tree = await org.member.get(`/cycles/${org.cycleId}/alignment-tree`);
    expect(tree.status).toBe(200);
    const root = tree.body.roots.find((node: { id: string }) => node.id === top.id);
    expect(root.keyResults[0].contributors.map((n: { id: string }) => n.id)).toEqual([middle.id]);
    expect(tree.body.mission).toMatch(/working software/);
  });

  it("lists objectives paginated and filtered", async () => {
    const all = await org.member.get(`/objectives?cycleId=${org.cycleId}&limit=2`);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.nextCursor).toBe(all.body.items[1].id);
    const next = await org.member.get(
      `/objectives?cycleId=${org.cycleId}&limit=2&cursor=${all.body.nextCursor}`,
    );
    expect(next.body.items[0].id > all.body.items[1].id).toBe(true);
    const byTeam = await org.member.get(`/objectives?teamId=${org.teamId}`);
    expect(byTeam.body.items.every((o: Json) => o.owner.id === org.teamId)).toBe(true);
    const approved = await org.member.get(`/objectives?state=approved&kind=aspirational`);
    expect(approved.body.items.length).toBeGreaterThan(0);
    expect(approved.body.items.every((o: Json) => o.state === "approved" && o.kind === "aspirational")).toBe(
      true,
    );
  });

  it("locks objectives and key results once the cycle is in SCORING", async () => {
    const own = await createOrganization(service, "Locking");
    const objective = await draftObjective(own, { title: "Before scoring" });
    expect((await advance(own, "CHECK_INS")).phase).toBe("CHECK_INS");
    const scoring = await advance(own, "SCORING");
    expect(scoring).toMatchObject({ phase: "SCORING", locked: true });
    expect((await own.admin.post(`/cycles/${own.cycleId}/phase`, { phase: "SCORING" })).status).toBe(200);
    expect((await own.admin.post(`/cycles/${own.cycleId}/phase`, { phase: "CASCADE" })).status).toBe(409);
    const edit = await own.member.patch(`/objectives/${objective.id}`, { title: "changed" });
    expect(edit.status).toBe(409);
    expect(edit.body.type).toMatch(/cycle-locked/);
    expect((await own.member.post(`/objectives/${objective.id}/key-results`, measurableKr())).status).toBe(
      409,
    );
    const checkIn = await own.member.post(`/key-results/${objective.keyResults[0].id}/check-ins`, {
      value: 10,
      confidence: 0.5,
      evidence: { url: "https://example.com" },
    });
    expect(checkIn.status).toBe(409);
    const event = await eventOn(
      GOALS_TOPICS.cycles,
      (e) => e.data?.cycleId === own.cycleId && e.data.phase === "SCORING",
    );
    expect(event).toMatchObject({ type: "okr.cycle.phase-changed.v1", data: { previousPhase: "CHECK_INS" } });
  });
});
