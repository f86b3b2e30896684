/**
 * The demo organization `npm start` seeds through the public API (so it exercises the same validation,
 * outbox and events as real use): a mission, a four-level team tree of 30 teams and 150 people, one
 * cycle of OKRs cascading down the tree (each layer takes ownership of a key result from above or aligns
 * to an objective above, plus one objective of its own), and weekly check-ins since the cycle started,
 * written through the bulk endpoint. Re-running it is harmless: an organization that already has teams
 * is left as it is.
 */
export const DEMO_TENANT_ID = "5eed0000-0000-4000-8000-000000000001";

export interface DemoSeedOptions {
  goalsUrl: string;
  /** An admin token for DEMO_TENANT_ID. */
  token: string;
}

const ORGANIZATION = {
  name: "Acme Flow",
  mission: "Every customer gets working software the week they ask for it.",
};

interface TeamPlan {
  name: string;
  theme: Theme;
  children?: TeamPlan[];
  /** People besides the leader. */
  members: number;
}

type Theme = "company" | "product" | "engineering" | "go-to-market" | "operations" | "people";

const squad = (name: string, theme: Theme): TeamPlan => ({ name, theme, members: 5 });

/** Four levels: company, divisions, departments, squads (1 + 4 + 8 + 17 = 30 teams). */
const TREE: TeamPlan = {
  name: "Acme Flow leadership",
  theme: "company",
  members: 4,
  children: [
    {
      name: "Product & Engineering",
      theme: "engineering",
      members: 2,
      children: [
        {
          name: "Product Management",
          theme: "product",
          members: 2,
          children: [
            squad("Discovery", "product"),
            squad("Onboarding", "product"),
            squad("Billing", "product"),
          ],
        },
        {
          name: "Platform Engineering",
          theme: "engineering",
          members: 2,
          children: [
            squad("Delivery Pipeline", "engineering"),
            squad("Runtime", "engineering"),
            squad("Data Platform", "engineering"),
            squad("Developer Experience", "engineering"),
          ],
        },
      ],
    },
    {
      name: "Go-to-Market",
      theme: "go-to-market",
      members: 2,
      children: [
        {
          name: "Sales",
          theme: "go-to-market",
          members: 2,
          children: [squad("Enterprise Sales", "go-to-market"), squad("Mid-Market Sales", "go-to-market")],
        },
        {
          name: "Customer Success",
          theme: "go-to-market",
          members: 2,
          children: [squad("Support", "operations"), squad("Renewals", "go-to-market")],
        },
      ],
    },
    {
      name: "Operations",
      theme: "operations",
      members: 2,
      children: [
        {
          name: "Service Delivery",
          theme: "operations",
          members: 2,
          children: [squad("Implementation", "operations"), squad("Incident Response", "operations")],
        },
        {
          name: "Quality & Security",
          theme: "operations",
          members: 2,
          children: [squad("Test Automation", "engineering"), squad("Security Engineering", "engineering")],
        },
      ],
    },
    {
      name: "People & Finance",
      theme: "people",
      members: 2,
      children: [
        { name: "Talent", theme: "people", members: 2, children: [squad("Recruiting", "people")] },
        { name: "Finance", theme: "people", members: 2, children: [squad("FP&A", "people")] },
      ],
    },
  ],
};

interface KrTemplate {
  title: string;
  type: "increase-to" | "decrease-to" | "stay-above" | "stay-below" | "milestone";
  baseline?: number;
  target?: number;
  unit: string;
  milestones?: string[];
}

interface ObjectiveTemplate {
  title: string;
  kind: "committed" | "aspirational";
  keyResults: KrTemplate[];
}

const up = (title: string, baseline: number, target: number, unit: string): KrTemplate => ({
  title,
  type: "increase-to",
  baseline,
  target,
  unit,
});
const down = (title: string, baseline: number, target: number, unit: string): KrTemplate => ({
  title,
  type: "decrease-to",
  baseline,
  target,
  unit,
});
const hold = (title: string, target: number, unit: string): KrTemplate => ({
  title,
  type: "stay-above",
  target,
  unit,
});
const steps = (title: string, milestones: string[]): KrTemplate => ({
  title,
  type: "milestone",
  unit: "milestones",
  milestones,
});

const THEMES: Record<Theme, ObjectiveTemplate[]> = {
  company: [
    {
      title: "Customers get what they ask for within a week",
      kind: "committed",
      keyResults: [
        down("Median lead time from request to production", 21, 7, "days"),
        up("Share of customer requests delivered within 7 days", 35, 70, "%"),
        hold("Customer satisfaction (CSAT)", 4.3, "of 5"),
      ],
    },
    {
      title: "Grow revenue from customers who love the product",
      kind: "aspirational",
      keyResults: [
        up("Annual recurring revenue", 48, 60, "M EUR"),
        up("Net revenue retention", 104, 115, "%"),
        up("Net promoter score", 31, 45, "points"),
      ],
    },
    {
      title: "Remove waste from how we work",
      kind: "committed",
      keyResults: [
        up("Flow efficiency of the main value stream", 18, 35, "%"),
        down("Work items waiting in queues", 420, 200, "items"),
        steps("Value streams mapped and improved", [
          "map delivery",
          "map sales-to-cash",
          "map support",
          "kaizen in all three",
        ]),
      ],
    },
  ],
  product: [
    {
      title: "Make the first week delightful for new customers",
      kind: "aspirational",
      keyResults: [
        up("New accounts active in week one", 52, 75, "%"),
        down("Time to first value", 9, 3, "days"),
        up("Onboarding CSAT", 3.9, 4.5, "of 5"),
      ],
    },
    {
      title: "Decide with evidence, not opinions",
      kind: "committed",
      keyResults: [
        up("Roadmap items with a validated customer problem", 40, 90, "%"),
        up("Customer interviews per month", 12, 30, "interviews"),
      ],
    },
    {
      title: "Cut the features nobody uses",
      kind: "aspirational",
      keyResults: [
        down("Features with under 2% weekly usage", 38, 15, "features"),
        steps("Sunset programme", ["usage audit", "customer notice", "removal", "post-mortem"]),
      ],
    },
  ],
  engineering: [
    {
      title: "Ship small changes continuously",
      kind: "committed",
      keyResults: [
        up("Deployments per day", 3, 15, "deploys"),
        down("Lead time for changes (p85)", 96, 24, "hours"),
        down("Change failure rate", 18, 8, "%"),
      ],
    },
    {
      title: "Run a platform nobody has to think about",
      kind: "committed",
      keyResults: [
        hold("Availability of customer-facing services", 99.9, "%"),
        down("Mean time to restore", 240, 60, "minutes"),
      ],
    },
    {
      title: "Give every engineer a fast feedback loop",
      kind: "aspirational",
      keyResults: [
        down("CI pipeline duration (p50)", 38, 10, "minutes"),
        up("Developer satisfaction with tooling", 3.1, 4.2, "of 5"),
        steps("Golden path", ["service template", "one-click environments", "self-service databases"]),
      ],
    },
  ],
  "go-to-market": [
    {
      title: "Win customers who fit",
      kind: "committed",
      keyResults: [
        up("Qualified pipeline", 9, 14, "M EUR"),
        up("Win rate on qualified deals", 22, 30, "%"),
        down("Sales cycle length", 94, 70, "days"),
      ],
    },
    {
      title: "Keep every customer we earn",
      kind: "committed",
      keyResults: [
        up("Gross revenue retention", 90, 95, "%"),
        down("Accounts at churn risk", 41, 20, "accounts"),
      ],
    },
    {
      title: "Turn customers into advocates",
      kind: "aspirational",
      keyResults: [
        up("Published case studies", 2, 8, "stories"),
        up("Referral-sourced deals", 5, 15, "deals"),
      ],
    },
  ],
  operations: [
    {
      title: "Resolve customer issues before they hurt",
      kind: "committed",
      keyResults: [
        down("Median time to resolve a ticket", 30, 8, "hours"),
        up("First-contact resolution", 55, 75, "%"),
        hold("Support CSAT", 4.4, "of 5"),
      ],
    },
    {
      title: "Go live without surprises",
      kind: "committed",
      keyResults: [
        down("Implementation duration", 45, 20, "days"),
        down("Escalations during go-live", 14, 4, "escalations"),
      ],
    },
    {
      title: "Build quality in, not inspect it in",
      kind: "aspirational",
      keyResults: [
        up("Automated test coverage of critical journeys", 48, 85, "%"),
        down("Defects found by customers", 37, 12, "defects"),
        steps("Security baseline", ["threat models", "SBOM for all services", "pen test fixed"]),
      ],
    },
  ],
  people: [
    {
      title: "Hire great people quickly",
      kind: "committed",
      keyResults: [down("Time to hire", 58, 35, "days"), up("Offer acceptance rate", 71, 85, "%")],
    },
    {
      title: "Make Acme Flow a place people stay",
      kind: "aspirational",
      keyResults: [up("Employee NPS", 12, 30, "points"), down("Regretted attrition", 9, 5, "%")],
    },
    {
      title: "Spend where it creates customer value",
      kind: "committed",
      keyResults: [
        down("Days to close the books", 12, 5, "days"),
        steps("Value-stream budgeting", ["pilot in engineering", "all divisions", "quarterly review"]),
      ],
    },
  ],
};

const FIRST = [
  "Ada",
  "Ben",
  "Chloé",
  "Dev",
  "Elif",
  "Femi",
  "Greta",
  "Hiro",
  "Ines",
  "Jonas",
  "Kemi",
  "Luca",
  "Maya",
  "Nils",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sven",
  "Tara",
  "Umar",
  "Vera",
  "Wei",
  "Yara",
  "Zoe",
];
const LAST = [
  "Okafor",
  "Lindqvist",
  "Moreau",
  "Tanaka",
  "Schmidt",
  "García",
  "Novak",
  "Haddad",
  "Kowalski",
  "Rossi",
  "Nguyen",
  "Brennan",
];

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
  if (existing.items.length > 0) return { name: ORGANIZATION.name };

  // People and teams, top-down (a team's parent exists before it does).
  const rand = random(2027);
  let personCount = 0;
  const person = async (role: "leader" | "member") => {
    const n = personCount++;
    const first = FIRST[n % FIRST.length] as string;
    const last = LAST[Math.floor(n / FIRST.length) % LAST.length] as string;
    const body = await call("POST", "/people", {
      name: `${first} ${last}`,
      email:
        `${first}.${last}.${n}`
          .toLowerCase()
          .normalize("NFD")
          .replace(/[^a-z0-9.]/g, "") + "@acme-flow.example",
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
  for (let i = 0; personCount < 150; i++) {
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
