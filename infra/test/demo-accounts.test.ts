import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, demoAccounts } from "../demo/accounts.ts";
import { DEMO_PEOPLE, type TeamPlan, TREE } from "../demo/acme-flow.ts";
import { DEMO_TENANT_ID } from "../demo/seed.ts";

const countTeams = (plan: TeamPlan): number =>
  1 + (plan.children ?? []).reduce((sum, child) => sum + countTeams(child), 0);

describe("the demo organization's accounts at the local identity provider", () => {
  const accounts = demoAccounts();

  it("holds every seeded person once, in the demo tenant, with the demo password", () => {
    expect(accounts).toHaveLength(DEMO_PEOPLE);
    expect(new Set(accounts.map((a) => a.sub)).size).toBe(DEMO_PEOPLE);
    expect(new Set(accounts.map((a) => a.email)).size).toBe(DEMO_PEOPLE);
    expect(accounts.every((a) => a.tenant === DEMO_TENANT_ID && a.password === DEMO_PASSWORD)).toBe(true);
  });

  it("gives the first person admin, one leader per team, everyone else member", () => {
    expect(accounts[0]).toMatchObject({
      email: "ada.okafor.0@acme-flow.example",
      groups: ["okr-admins", "okr-leaders"],
    });
    expect(accounts.filter((a) => a.groups.includes("okr-leaders"))).toHaveLength(countTeams(TREE));
    expect(accounts.filter((a) => a.groups.includes("okr-admins"))).toHaveLength(1);
    expect(accounts.filter((a) => a.groups.length === 1 && a.groups[0] === "okr-members")).toHaveLength(
      DEMO_PEOPLE - countTeams(TREE),
    );
  });
});
