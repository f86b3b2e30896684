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

/** Four levels: company, divisions, departments, squads (1 + 4 + 8 + 17 = 30 teams). */
export const TREE: TeamPlan = {
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

export const THEMES: Record<Theme, ObjectiveTemplate[]> = {
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
