/**
 * The demo company's data: Acme Flow's mission, its team tree, the objective templates each kind of team
 * draws from, and the names its people get. seed.ts writes it through the goals API.
 */

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
  type: "increase-to" | "decrease-to" | "stay-above" | "stay-below" | "milestone";
  baseline?: number;
  target?: number;
  unit: string;
  milestones?: string[];
}

export interface ObjectiveTemplate {
  title: string;
  kind: "committed" | "aspirational";
  keyResults: KrTemplate[];
}

/** A key result that moves a metric from its baseline to a target. */
const moving =
  (type: "increase-to" | "decrease-to") =>
  (title: string, baseline: number, target: number, unit: string): KrTemplate => ({
    title,
    type,
    baseline,
    target,
    unit,
  });
const up = moving("increase-to");
const down = moving("decrease-to");
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

const objective = (
  kind: ObjectiveTemplate["kind"],
  title: string,
  keyResults: KrTemplate[],
): ObjectiveTemplate => ({ title, kind, keyResults });

export const THEMES: Record<Theme, ObjectiveTemplate[]> = {
  company: [
    objective("committed", "Customers get what they ask for within a week", [
      down("Median lead time from request to production", 21, 7, "days"),
      up("Share of customer requests delivered within 7 days", 35, 70, "%"),
      hold("Customer satisfaction (CSAT)", 4.3, "of 5"),
    ]),
    objective("aspirational", "Grow revenue from customers who love the product", [
      up("Annual recurring revenue", 48, 60, "M EUR"),
      up("Net revenue retention", 104, 115, "%"),
      up("Net promoter score", 31, 45, "points"),
    ]),
    objective("committed", "Remove waste from how we work", [
      up("Flow efficiency of the main value stream", 18, 35, "%"),
      down("Work items waiting in queues", 420, 200, "items"),
      steps("Value streams mapped and improved", [
        "map delivery",
        "map sales-to-cash",
        "map support",
        "kaizen in all three",
      ]),
    ]),
  ],
  product: [
    objective("aspirational", "Make the first week delightful for new customers", [
      up("New accounts active in week one", 52, 75, "%"),
      down("Time to first value", 9, 3, "days"),
      up("Onboarding CSAT", 3.9, 4.5, "of 5"),
    ]),
    objective("committed", "Decide with evidence, not opinions", [
      up("Roadmap items with a validated customer problem", 40, 90, "%"),
      up("Customer interviews per month", 12, 30, "interviews"),
    ]),
    objective("aspirational", "Cut the features nobody uses", [
      down("Features with under 2% weekly usage", 38, 15, "features"),
      steps("Sunset programme", ["usage audit", "customer notice", "removal", "post-mortem"]),
    ]),
  ],
  engineering: [
    objective("committed", "Ship small changes continuously", [
      up("Deployments per day", 3, 15, "deploys"),
      down("Lead time for changes (p85)", 96, 24, "hours"),
      down("Change failure rate", 18, 8, "%"),
    ]),
    objective("committed", "Run a platform nobody has to think about", [
      hold("Availability of customer-facing services", 99.9, "%"),
      down("Mean time to restore", 240, 60, "minutes"),
    ]),
    objective("aspirational", "Give every engineer a fast feedback loop", [
      down("CI pipeline duration (p50)", 38, 10, "minutes"),
      up("Developer satisfaction with tooling", 3.1, 4.2, "of 5"),
      steps("Golden path", ["service template", "one-click environments", "self-service databases"]),
    ]),
  ],
  "go-to-market": [
    objective("committed", "Win customers who fit", [
      up("Qualified pipeline", 9, 14, "M EUR"),
      up("Win rate on qualified deals", 22, 30, "%"),
      down("Sales cycle length", 94, 70, "days"),
    ]),
    objective("committed", "Keep every customer we earn", [
      up("Gross revenue retention", 90, 95, "%"),
      down("Accounts at churn risk", 41, 20, "accounts"),
    ]),
    objective("aspirational", "Turn customers into advocates", [
      up("Published case studies", 2, 8, "stories"),
      up("Referral-sourced deals", 5, 15, "deals"),
    ]),
  ],
  operations: [
    objective("committed", "Resolve customer issues before they hurt", [
      down("Median time to resolve a ticket", 30, 8, "hours"),
      up("First-contact resolution", 55, 75, "%"),
      hold("Support CSAT", 4.4, "of 5"),
    ]),
    objective("committed", "Go live without surprises", [
      down("Implementation duration", 45, 20, "days"),
      down("Escalations during go-live", 14, 4, "escalations"),
    ]),
    objective("aspirational", "Build quality in, not inspect it in", [
      up("Automated test coverage of critical journeys", 48, 85, "%"),
      down("Defects found by customers", 37, 12, "defects"),
      steps("Security baseline", ["threat models", "SBOM for all services", "pen test fixed"]),
    ]),
  ],
  people: [
    objective("committed", "Hire great people quickly", [
      down("Time to hire", 58, 35, "days"),
      up("Offer acceptance rate", 71, 85, "%"),
    ]),
    objective("aspirational", "Make Acme Flow a place people stay", [
      up("Employee NPS", 12, 30, "points"),
      down("Regretted attrition", 9, 5, "%"),
    ]),
    objective("committed", "Spend where it creates customer value", [
      down("Days to close the books", 12, 5, "days"),
      steps("Value-stream budgeting", ["pilot in engineering", "all divisions", "quarterly review"]),
    ]),
  ],
};

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
