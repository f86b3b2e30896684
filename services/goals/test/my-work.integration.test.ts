import { describe, expect, it } from "vitest";
import { advance, draftObjective, type Json, measurableKr, startGoalsWithOrganizations } from "./support.ts";

const {
  orgs: [org],
} = await startGoalsWithOrganizations(["Acme"]);

const workOf = async (client: typeof org.member) => (await client.ok("GET", "/me/work")).items as Json[];

describe("my work: what the cycle asks of me now", () => {
  it("follows a cycle: draft and approve while setting, due check-ins, then the retrospective", async () => {
    // SETTING: the leader of the root team has objectives to write; a member who leads nothing has nothing.
    expect(await workOf(org.leader)).toEqual([
      expect.objectContaining({ action: "draft-objectives", teamId: org.rootTeamId, open: 0, written: 0 }),
    ]);
    expect(await workOf(org.member)).toEqual([]);

    // Platform (under the root team) submits one of its objectives: its parent's leader is asked to approve.
    const drafted: Json[] = [];
    for (const title of ["A", "B", "C"])
      drafted.push(
        await draftObjective(org, { title, keyResults: [measurableKr(), measurableKr("second")] }),
      );
    const submitted = drafted[0].id;
    await org.member.ok("POST", `/objectives/${submitted}/submit`);
    expect(await workOf(org.leader)).toContainEqual(
      expect.objectContaining({
        action: "approve-objectives",
        teamId: org.teamId,
        objectiveIds: [submitted],
      }),
    );

    // CHECK_INS: each KR of the member's team is due (none checked in yet) until the member checks in on it.
    await advance(org, "CASCADE");
    await advance(org, "CHECK_INS");
    const due = await workOf(org.member);
    const krIds = drafted.flatMap((o) => o.keyResults.map((kr: Json) => kr.id)).sort();
    expect(due.map((item) => item.keyResultId).sort()).toEqual(krIds);
    expect(due.every((item) => item.action === "check-in" && item.lastCheckInAt === null)).toBe(true);
    const [first] = krIds;
    await org.member.ok("POST", `/key-results/${first}/check-ins`, {
      value: 12,
      confidence: 0.6,
      note: "moving",
      evidence: { url: "https://ci.example/lead" },
    });
    expect((await workOf(org.member)).map((item) => item.keyResultId)).not.toContain(first);
    expect(await workOf(org.member)).toHaveLength(krIds.length - 1);
    expect(await workOf(org.outsider)).toEqual([]);

    // RETROSPECTIVE: the leader writes the root team's, then nothing is left.
    await advance(org, "SCORING");
    await advance(org, "RETROSPECTIVE");
    expect(await workOf(org.leader)).toEqual([
      { action: "retrospective", cycleId: org.cycleId, teamId: org.rootTeamId, teamName: "Acme leadership" },
    ]);
    await org.leader.ok("POST", `/cycles/${org.cycleId}/retrospectives`, {
      teamId: org.rootTeamId,
      wentWell: "Smaller batches",
      didNotGoWell: "Too much WIP",
      lessons: "Limit WIP per step",
      carryForwardKeyResultIds: [],
    });
    expect(await workOf(org.leader)).toEqual([]);
  });

  it("is nobody's for a service token", async () => {
    const service = org.admin.as(["service"]);
    expect((await service.get("/me/work")).status).toBe(404);
  });
});
