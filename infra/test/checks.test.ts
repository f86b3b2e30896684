import { describe, expect, it } from "vitest";
import { checkScope } from "../cli/checks.ts";

describe("what a filtered `npm test` lints and typechecks", () => {
  it("checks everything without a filter, or with a test-name filter alone", () => {
    expect(checkScope([]).workspaces).toBeUndefined();
    expect(checkScope(["-t", "relay"]).workspaces).toBeUndefined();
    expect(checkScope(["--reporter", "verbose"]).workspaces).toBeUndefined();
  });

  it("narrows to the workspaces whose test files a path filter matches", () => {
    expect(checkScope(["packages/messaging"]).workspaces).toEqual(["packages/messaging"]);
    expect(checkScope(["./services/goals/test/check-ins.integration.test.ts"]).workspaces).toEqual([
      "services/goals",
    ]);
    const byName = checkScope(["check-ins"]).workspaces;
    expect(byName).toContain("services/goals");
    expect(byName).not.toContain("packages/config");
  });

  it("narrows to a --project, in either spelling, and does not read option values as filters", () => {
    expect(checkScope(["--project", "@okr/database"]).workspaces).toEqual(["packages/database"]);
    expect(checkScope(["--project=@okr/database", "-t", "packages/messaging"]).workspaces).toEqual([
      "packages/database",
    ]);
  });

  it("falls back to everything when a filter matches no test file", () => {
    expect(checkScope(["no-such-test-anywhere"]).workspaces).toBeUndefined();
  });
});
