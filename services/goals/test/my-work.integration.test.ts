import { describe, expect, it } from "vitest";
import { reminder, reminderPublisher } from "./reminders.ts";
import { advance, draftObjective, type Json, measurableKr, startGoalsWithOrganizations } from "./support.ts";

const {
  service,
  orgs: [org, globex],
} = await startGoalsWithOrganizations(["Acme", "Globex"]);
const reminders = reminderPublisher(service);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

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
      {
        action: "retrospective",
        cycleId: org.cycleId,
        teamId: org.rootTeamId,
        teamName: "Acme leadership",
        dueAt: null,
      },
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

  it("dates drafting and approving by the cycle workflows' reminders, soonest first; never by another tenant's", async () => {
    const drafted: string[] = [];
    for (const title of ["A", "B", "C"])
      drafted.push(
        (await draftObjective(globex, { title, keyResults: [measurableKr(), measurableKr("second")] })).id,
      );
    await globex.member.ok("POST", `/objectives/${drafted[0]}/submit`);
    const undated = await workOf(globex.leader);
    expect(undated.map((item) => [item.action, item.dueAt])).toEqual([
      ["draft-objectives", null],
      ["approve-objectives", null],
    ]);
    const [inTwoDays, inFiveDays] = [inDays(2), inDays(5)];
    const ofGlobex = {
      cycleId: globex.cycleId,
      recipient: { kind: "person" as const, id: globex.leader.subject },
    };
    await reminders.publishStored(
      [globex.admin.tenantId, reminder({ ...ofGlobex, teamId: globex.rootTeamId, dueAt: inFiveDays })],
      [
        globex.admin.tenantId,
        reminder({ ...ofGlobex, teamId: globex.teamId, action: "approve-objectives", dueAt: inTwoDays }),
      ],
      // An escalation does not move the deadline its reminder set.
      [
        globex.admin.tenantId,
        reminder({ ...ofGlobex, teamId: globex.rootTeamId, dueAt: inDays(1), escalation: true }),
      ],
      // The same cycle, team and person named in another tenant's reminder: not Globex's.
      [org.admin.tenantId, reminder({ ...ofGlobex, teamId: globex.rootTeamId, dueAt: inDays(-9) })],
    );
    expect(await workOf(globex.leader)).toEqual([
      { ...undated[1], dueAt: inTwoDays },
      { ...undated[0], dueAt: inFiveDays },
    ]);
    // Nobody else's work changed: the member leads nothing.
    expect(await workOf(globex.member)).toEqual([]);
  });

  it("is nobody's for a service token", async () => {
    const service = org.admin.as(["service"]);
    expect((await service.get("/me/work")).status).toBe(404);
  });
});
