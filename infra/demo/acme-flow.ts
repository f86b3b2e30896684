/**
 * The demo company's data: Acme Flow's mission, its team tree, the objective templates each kind of team
 * draws from (as data in objectives.json), and the names its people get. seed.ts writes it through the
 * goals API.
 */

import { KEY_RESULT_TYPES, type KeyResultType, OBJECTIVE_KINDS } from "@okr/goals-domain";
import objectives from "./objectives.json" with { type: "json" };

type ObjectiveKind = (typeof OBJECTIVE_KINDS)[number];
/** The key result types the demo's templates use: all of goals-domain's but a band (stay-between). */
const DEMO_KR_TYPES = KEY_RESULT_TYPES.filter(
  (type): type is Exclude<KeyResultType, "stay-between"> => type !== "stay-between",
);

export const ORGANIZATION = {
  name: "Acme Flow",
  mission: "Every customer gets working software the week they ask for it.",
};

export interface TeamPlan {
  name: string;
  theme: Theme;
  children?: TeamPlan[];
  /** People besides the leader. */
  members: number;
}

export type Theme = "company" | "product" | "engineering" | "go-to-market" | "operations" | "people";

const squad = (name: string, theme: Theme): TeamPlan => ({ name, theme, members: 5 });
/** A division or department: a leader, two more people and the teams under it. */
const group = (name: string, theme: Theme, children: TeamPlan[]): TeamPlan => ({
  name,
  theme,
  members: 2,
  children,
});

/** Four levels: company, divisions, departments, squads (1 + 4 + 8 + 17 = 30 teams). */
export const TREE: TeamPlan = {
  name: "Acme Flow leadership",
  theme: "company",
  members: 4,
  children: [
    group("Product & Engineering", "engineering", [
      group("Product Management", "product", [
        squad("Discovery", "product"),
        squad("Onboarding", "product"),
        squad("Billing", "product"),
      ]),
      group("Platform Engineering", "engineering", [
        squad("Delivery Pipeline", "engineering"),
        squad("Runtime", "engineering"),
        squad("Data Platform", "engineering"),
        squad("Developer Experience", "engineering"),
      ]),
    ]),
    group("Go-to-Market", "go-to-market", [
      group("Sales", "go-to-market", [
        squad("Enterprise Sales", "go-to-market"),
        squad("Mid-Market Sales", "go-to-market"),
      ]),
      group("Customer Success", "go-to-market", [
        squad("Support", "operations"),
        squad("Renewals", "go-to-market"),
      ]),
    ]),
    group("Operations", "operations", [
      group("Service Delivery", "operations", [
        squad("Implementation", "operations"),
        squad("Incident Response", "operations"),
      ]),
      group("Quality & Security", "operations", [
        squad("Test Automation", "engineering"),
        squad("Security Engineering", "engineering"),
      ]),
    ]),
    group("People & Finance", "people", [
      group("Talent", "people", [squad("Recruiting", "people")]),
      group("Finance", "people", [squad("FP&A", "people")]),
    ]),
  ],
};

export interface KrTemplate {
  title: string;
  type: (typeof DEMO_KR_TYPES)[number];
  baseline?: number;
  target?: number;
  unit: string;
  milestones?: string[];
}

export interface ObjectiveTemplate {
  title: string;
  kind: ObjectiveKind;
  keyResults: KrTemplate[];
}

/** An objective as objectives.json writes it: the kinds and types as plain strings. */
interface ObjectiveRow {
  kind: string;
  title: string;
  keyResults: (Omit<KrTemplate, "type"> & { type: string })[];
}

function oneOf<T extends string>(allowed: readonly T[], value: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new Error(`objectives.json: "${value}" is not one of ${allowed.join(", ")}`);
  return found;
}

/** An objective template from its row in objectives.json, its kind and key result types checked. */
const objectiveTemplate = (row: ObjectiveRow): ObjectiveTemplate => ({
  title: row.title,
  kind: oneOf(OBJECTIVE_KINDS, row.kind),
  keyResults: row.keyResults.map((kr) => ({ ...kr, type: oneOf(DEMO_KR_TYPES, kr.type) })),
});

/** Each theme's objective templates, as data: objectives.json. */
const rows: Record<Theme, ObjectiveRow[]> = objectives;

export const THEMES = Object.fromEntries(
  Object.entries(rows).map(([theme, list]) => [theme, list.map(objectiveTemplate)]),
) as Record<Theme, ObjectiveTemplate[]>;

export const FIRST = [
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
export const LAST = [
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

/** The demo organization's size: seed.ts tops the team tree up to this many people. */
export const DEMO_PEOPLE = 150;

/** The name and email of the seed's n-th person (0-based, in the order the seed creates them). */
export function demoPerson(n: number): { name: string; email: string } {
  const first = FIRST[n % FIRST.length] as string;
  const last = LAST[Math.floor(n / FIRST.length) % LAST.length] as string;
  return {
    name: `${first} ${last}`,
    email: `${`${first}.${last}.${n}`
      .toLowerCase()
      .normalize("NFD")
      .replace(/[^a-z0-9.]/g, "")}@acme-flow.example`,
  };
}

/**
 * The role each of the seed's people gets, in creation order: the seed walks the tree top-down, each
 * team's leader before its members, then tops the squads up with members. The first person is also admin.
 */
export function demoRoles(): ("admin" | "leader" | "member")[][] {
  const roles: ("admin" | "leader" | "member")[][] = [];
  const walk = (plan: TeamPlan) => {
    roles.push(roles.length === 0 ? ["admin", "leader"] : ["leader"]);
    for (let i = 0; i < plan.members; i++) roles.push(["member"]);
    for (const child of plan.children ?? []) walk(child);
  };
  walk(TREE);
  while (roles.length < DEMO_PEOPLE) roles.push(["member"]);
  return roles;
}
