/**
 * The demo organization `npm start` seeds through the public API (so it exercises the same validation,
 * outbox and events as real use): a mission, a four-level team tree of 30 teams and 150 people, one
 * cycle of OKRs cascading down the tree (each layer takes ownership of a key result from above or aligns
 * to an objective above, plus one objective of its own), and weekly check-ins since the cycle started,
 * written through the bulk endpoint. Re-running it is harmless: an organization that already has teams
 * is left as it is.
 */
import {
  DEMO_PEOPLE,
  demoPerson,
  type KrTemplate,
  ORGANIZATION,
  type TeamPlan,
  THEMES,
  TREE,
} from "./acme-flow.ts";

export const DEMO_TENANT_ID = "5eed0000-0000-4000-8000-000000000001";

export interface DemoSeedOptions {
  goalsUrl: string;
  /** An admin token for DEMO_TENANT_ID. */
  token: string;
}

/** A small deterministic random source, so every seeded company looks the same. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return state / 4294967296;
  };
}

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** A JSON caller of the goals API with the seed's admin token; a non-2xx answer fails the seed. */
function goalsApi(options: DemoSeedOptions, what: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${options.goalsUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${what} failed: ${method} ${path} -> ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

export async function seedDemoOrganization(options: DemoSeedOptions): Promise<{ name: string }> {
  const call = goalsApi(options, "seeding the demo organization");

  await call("PUT", "/organization", ORGANIZATION);
  const existing = await call("GET", "/teams?limit=1");
  if (existing.items.length > 0) {
    // Seeded by an earlier start: its people go out again for consumers that joined since (a notifier).
    await call("POST", "/organization/republish-people");
    return { name: ORGANIZATION.name };
  }

  // People and teams, top-down (a team's parent exists before it does).
  const rand = random(2027);
  let personCount = 0;
  const person = async (role: "leader" | "member") => {
    const n = personCount++;
    const body = await call("POST", "/people", {
      ...demoPerson(n),
      roles: n === 0 ? ["admin", "leader"] : [role],
    });
    return body.id as string;
  };
  interface SeededTeam {
    id: string;
    plan: TeamPlan;
    parent?: SeededTeam;
    level: number;
    objectives: { id: string; keyResults: { id: string; template: KrTemplate }[] }[];
  }
  const teams: SeededTeam[] = [];
  const addTeam = async (plan: TeamPlan, parent: SeededTeam | undefined, level: number) => {
    const leader = await person("leader");
    const members = await Promise.all(Array.from({ length: plan.members }, () => person("member")));
    const body = await call("POST", "/teams", {
      name: plan.name,
      parentTeamId: parent?.id ?? null,
      leaderIds: [leader],
      memberIds: members,
    });
    const team: SeededTeam = { id: body.id, plan, parent, level, objectives: [] };
    teams.push(team);
    for (const child of plan.children ?? []) await addTeam(child, team, level + 1);
  };
  await addTeam(TREE, undefined, 1);
  // Top up to 150 people: the squads grow (people join, teams change).
  const squads = teams.filter((t) => !t.plan.children);
  const joiners = new Map<SeededTeam, string[]>();
  for (let i = 0; personCount < DEMO_PEOPLE; i++) {
    const team = squads[i % squads.length] as SeededTeam;
    joiners.set(team, [...(joiners.get(team) ?? []), await person("member")]);
  }
  await Promise.all(
    [...joiners].map(async ([team, ids]) => {
      const current = await call("GET", `/teams/${team.id}`);
      await call("PATCH", `/teams/${team.id}`, { memberIds: [...current.memberIds, ...ids] });
    }),
  );

  // One cycle: a quarter that started seven weeks ago, so there is history to look at.
  const now = Date.now();
  const today = new Date(now);
  const monday =
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) -
    ((today.getUTCDay() + 6) % 7) * DAY;
  const startsAt = monday - 7 * WEEK;
  const endsAt = startsAt + 13 * WEEK;
  const middle = new Date(startsAt + 6 * WEEK);
  const cycle = await call("POST", "/cycles", {
    name: `${middle.getUTCFullYear()}-Q${Math.floor(middle.getUTCMonth() / 3) + 1}`,
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    timeZone: "Europe/Berlin",
    checkInCadence: { weekday: 1, hour: 10, everyDays: 7 },
  });

  // OKRs cascade top-down: the first objective takes ownership of a key result from the layer above,
  // the second aligns to an objective above, the third is the team's own.
  await call("POST", `/cycles/${cycle.id}/phase`, { phase: "CASCADE" });
  const byLevel = [1, 2, 3, 4].map((level) => teams.filter((t) => t.level === level));
  for (const layer of byLevel) {
    await Promise.all(
      layer.map(async (team, teamIndex) => {
        const templates = THEMES[team.plan.theme];
        for (const [index, template] of templates.entries()) {
          const parent = team.parent?.objectives[(index + teamIndex) % team.parent.objectives.length];
          const link =
            parent && index === 0
              ? { contributesToKeyResultId: parent.keyResults[teamIndex % parent.keyResults.length]?.id }
              : parent && index === 1
                ? { alignedToObjectiveId: parent.id }
                : {};
          const created = await call("POST", "/objectives", {
            cycleId: cycle.id,
            title: team.level === 1 ? template.title : `${template.title} (${team.plan.name})`,
            description: `${team.plan.name}: ${template.title.toLowerCase()}.`,
            kind: template.kind,
            owner: { kind: "team", id: team.id },
            ...link,
            keyResults: template.keyResults.map((kr) => ({
              title: kr.title,
              type: kr.type,
              baseline: kr.baseline ?? null,
              target: kr.target ?? null,
              milestones: kr.milestones ?? [],
              unit: kr.unit,
              evidence: { kind: "url", description: "the dashboard or document that shows the number" },
            })),
          });
          team.objectives.push({
            id: created.id,
            keyResults: created.keyResults.map((kr: { id: string }, i: number) => ({
              id: kr.id,
              template: template.keyResults[i] as KrTemplate,
            })),
          });
        }
        for (const objective of team.objectives) {
          await call("POST", `/objectives/${objective.id}/submit`);
          await call("POST", `/objectives/${objective.id}/approve`);
        }
      }),
    );
  }
  await call("POST", `/cycles/${cycle.id}/phase`, { phase: "CHECK_INS" });

  // Weekly check-ins since the start: each team moves at its own pace, confidence follows progress.
  const checkIns: unknown[] = [];
  const weeks = Math.floor((now - startsAt) / WEEK);
  for (const team of teams) {
    const pace = 0.55 + rand() * 0.6;
    for (const objective of team.objectives)
      for (const { id, template } of objective.keyResults) {
        for (let week = 1; week <= weeks; week++) {
          const recordedAt = startsAt + (week - 1) * WEEK + DAY + 9 * 3_600_000;
          if (recordedAt > now) break;
          const progress = Math.max(0, Math.min(1.1, (week / 13) * pace * 1.6 + (rand() - 0.5) * 0.08));
          const slug = `${team.plan.name}-${template.title}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
          const base = {
            keyResultId: id,
            confidence:
              Math.round(Math.max(0.1, Math.min(0.95, pace - 0.1 + (rand() - 0.5) * 0.2)) * 100) / 100,
            note: week === weeks ? "Latest weekly check-in." : `Week ${week}.`,
            evidence: { url: `https://dashboards.acme-flow.example/okr/${slug}?week=${week}` },
            recordedAt: new Date(recordedAt).toISOString(),
          };
          if (template.type === "milestone") {
            const done = Math.min(
              template.milestones?.length ?? 0,
              Math.floor(progress * (template.milestones?.length ?? 0)),
            );
            checkIns.push({ ...base, value: done, milestonesDone: done });
          } else if (template.type === "stay-above") {
            const target = template.target ?? 0;
            checkIns.push({ ...base, value: Math.round(target * (1 + (rand() - 0.4) * 0.02) * 100) / 100 });
          } else {
            const from = template.baseline ?? 0;
            const to = template.target ?? 0;
            checkIns.push({ ...base, value: Math.round((from + (to - from) * progress) * 100) / 100 });
          }
        }
      }
  }
  for (let i = 0; i < checkIns.length; i += 1000) {
    const result = await call("POST", "/check-ins/bulk", { checkIns: checkIns.slice(i, i + 1000) });
    if (result.rejected.length)
      throw new Error(
        `seeding check-ins: ${result.rejected.length} rejected, e.g. ${result.rejected[0].detail}`,
      );
  }
  return { name: ORGANIZATION.name };
}

const DEMO_RUN_CYCLE = "Demo run (phases in minutes)";

/**
 * Starts one cycle on Temporal with phases shortened to minutes, so the Temporal UI shows a cycle moving
 * through SETTING, CASCADE, CHECK_INS, SCORING and RETROSPECTIVE right after `npm start` (reminders go
 * out on Kafka for the teams that draft nothing). The seeded quarter stays as it is. Idempotent: a
 * second start finds the demo cycle and leaves its run alone.
 */
export async function runDemoCycle(
  options: DemoSeedOptions,
): Promise<{ cycleId: string; workflowId: string; phase: string }> {
  const call = goalsApi(options, "starting the demo cycle");
  const cycles = await call("GET", "/cycles?limit=100");
  let cycle = cycles.items.find((c: { name: string }) => c.name === DEMO_RUN_CYCLE);
  if (!cycle) {
    const startsAt = Date.now();
    cycle = await call("POST", "/cycles", {
      name: DEMO_RUN_CYCLE,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 30 * 60_000).toISOString(),
      timeZone: "Europe/Berlin",
    });
  }
  const workflowId = `okr-cycle/${DEMO_TENANT_ID}/${cycle.id}`;
  if (cycle.phase === "CLOSED") return { cycleId: cycle.id, workflowId, phase: cycle.phase };
  await call("POST", `/cycles/${cycle.id}/run`, {
    durations: {
      settingSeconds: 120,
      teamDraftingSeconds: 60,
      reminderLeadSeconds: 30,
      escalationGraceSeconds: 15,
      checkInsSeconds: 300,
      checkInIntervalSeconds: 60,
      scoringSeconds: 60,
      scoringPollSeconds: 15,
      retrospectiveSeconds: 60,
      retrospectivePollSeconds: 15,
    },
    continueWithNextCycle: false,
  });
  return { cycleId: cycle.id, workflowId, phase: cycle.phase };
}
