import { randomUUID } from "node:crypto";
import { GOALS_TOPICS } from "@okr/events";
import { findMessage } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { type Json, startGoalsWithOrganizations } from "./support.ts";

const {
  orgs: [org],
} = await startGoalsWithOrganizations(["Acme"]);

/** The person event on the people topic for `personId` whose data satisfies `matches`. */
const personEvent = async (personId: string, matches: (data: Json) => boolean) => {
  const message = await findMessage(
    GOALS_TOPICS.people,
    (m) => m.key === personId && matches(JSON.parse(m.value?.toString() ?? "{}").data),
  );
  return JSON.parse(message.value?.toString() ?? "{}");
};

const newPerson = (name: string, extra: object = {}) =>
  org.admin.ok("POST", "/people", {
    name,
    email: `${name}-${randomUUID()}@example.com`,
    roles: ["member"],
    ...extra,
  });

describe("people as notifiers need them: time zone, manager, teams, on the people topic", () => {
  it("publishes a person's whole state when they are added, join a team and change", async () => {
    const kim = await newPerson("kim", { timeZone: "Asia/Tokyo", managerId: org.leader.subject });
    expect(kim).toMatchObject({ timeZone: "Asia/Tokyo", managerId: org.leader.subject, teams: [] });
    const added = await personEvent(kim.id, (d) => d.teams.length === 0);
    expect(added).toMatchObject({ type: "okr.person.changed.v1", tenant: org.admin.tenantId });
    expect(added.data).toMatchObject({
      name: "kim",
      email: kim.email,
      active: true,
      timeZone: "Asia/Tokyo",
      managerId: org.leader.subject,
      removed: false,
    });

    const team = await org.admin.ok("GET", `/teams/${org.teamId}`);
    await org.admin.ok("PATCH", `/teams/${org.teamId}`, { memberIds: [...team.memberIds, kim.id] });
    const joined = await personEvent(kim.id, (d) => d.teams.length === 1);
    expect(joined.data.teams).toEqual([{ teamId: org.teamId, role: "member" }]);

    await org.admin.ok("PATCH", `/people/${kim.id}`, { timeZone: null });
    const cleared = await personEvent(kim.id, (d) => d.timeZone === null);
    expect(cleared.data).toMatchObject({ managerId: org.leader.subject, teams: [{ teamId: org.teamId }] });
  });

  it("refuses an unknown time zone, an unknown manager and being one's own manager, changing nothing", async () => {
    const lou = await newPerson("lou", { timeZone: "Europe/Berlin" });
    const tries = [
      [{ timeZone: "Mars/Olympus_Mons" }, "person-time-zone"],
      [{ managerId: randomUUID() }, "unknown-manager"],
      [{ managerId: lou.id }, "person-manager"],
    ] as const;
    for (const [patch, code] of tries) {
      const answer = await org.admin.patch(`/people/${lou.id}`, patch);
      expect(answer.status).toBe(422);
      expect(answer.body.errors[0]).toMatchObject({ code, path: `/${Object.keys(patch)[0]}` });
    }
    const created = await org.admin.post("/people", {
      name: "nobody",
      email: `nobody-${randomUUID()}@example.com`,
      roles: ["member"],
      timeZone: "Nowhere/Land",
    });
    expect(created.status).toBe(422);
    expect(await org.admin.ok("GET", `/people/${lou.id}`)).toMatchObject({
      timeZone: "Europe/Berlin",
      managerId: null,
    });
    const everyone = await org.admin.ok("GET", "/people?limit=1000");
    expect(everyone.items.some((p: Json) => p.name === "nobody")).toBe(false);
  });

  it("sends a removed person's last event, and their reports lose their manager", async () => {
    const boss = await newPerson("boss");
    const report = await newPerson("report", { managerId: boss.id });
    expect((await org.admin.delete(`/people/${boss.id}`)).status).toBe(204);
    const last = await personEvent(boss.id, (d) => d.removed === true);
    expect(last.data).toMatchObject({ email: boss.email, teams: [] });
    expect(await org.admin.ok("GET", `/people/${report.id}`)).toMatchObject({ managerId: null });
    await personEvent(report.id, (d) => d.managerId === null);
  });

  it("publishes every person again on request, for a consumer that joined later; only admins and services may", async () => {
    const late = await newPerson("late-joiner", { timeZone: "Asia/Kolkata" });
    expect((await org.member.post("/organization/republish-people")).status).toBe(403);
    const before = (await org.admin.ok("GET", "/people?limit=1000")).items.length;
    const answer = await org.admin.ok("POST", "/organization/republish-people");
    expect(answer).toEqual({ published: before });
    // The republished event is the person's state as it stands, a second time.
    const published: Json[] = [];
    await findMessage(GOALS_TOPICS.people, (m) => {
      if (m.key === late.id) published.push(JSON.parse(m.value?.toString() ?? "{}").data);
      return published.length === 2;
    });
    expect(published[1]).toMatchObject({ personId: late.id, timeZone: "Asia/Kolkata", removed: false });
  });
});
