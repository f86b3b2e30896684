import { globSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The workspace dependency graph as Turborepo sees it: every workspace package and the workspace
 * packages it names in dependencies, devDependencies, peerDependencies or optionalDependencies.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const workspaces = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces as string[])
  .flatMap((pattern) => globSync(join(pattern, "package.json"), { cwd: root }))
  .map((file) => ({
    dir: dirname(file),
    ...(JSON.parse(readFileSync(join(root, file), "utf8")) as PackageJson),
  }));

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const names = new Set(workspaces.map((pkg) => pkg.name));
const graph = new Map(
  workspaces.map((pkg) => [
    pkg.name,
    [
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.devDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
    ].filter((name) => names.has(name)),
  ]),
);

/** The first cycle a depth-first walk meets, as the chain of package names that closes it. */
function findCycle(): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const open = path.indexOf(name);
    if (open >= 0) return [...path.slice(open), name];
    if (done.has(name)) return undefined;
    path.push(name);
    for (const next of graph.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  for (const name of graph.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("workspace dependency graph", () => {
  it("reads every workspace package", () => {
    expect(names).toContain("@okr/infra");
    expect(names).toContain("@okr/testkit");
    expect(names).toContain("@okr/endpoints");
    expect(names.size).toBe(globSync("{packages,services}/*/package.json", { cwd: root }).length + 2);
  });

  it("has no cycle, counting devDependencies (Turborepo warns on every run otherwise)", () => {
    expect(findCycle()).toBeUndefined();
  });

  it("keeps @okr/endpoints a leaf every layer can depend on", () => {
    expect(graph.get("@okr/endpoints")).toEqual([]);
  });

  it("declares every workspace package a workspace's code imports (so the graph above is the real one)", () => {
    const undeclared: string[] = [];
    for (const pkg of workspaces) {
      const declared = new Set([pkg.name, ...(graph.get(pkg.name) ?? [])]);
      const files = globSync("**/*.ts", { cwd: join(root, pkg.dir) }).filter(
        (file) => !file.includes("node_modules/") && !file.includes("generated/"),
      );
      for (const file of files) {
        const source = readFileSync(join(root, pkg.dir, file), "utf8");
        for (const [, imported] of source.matchAll(/(?:from|import\()\s*"(@okr\/[^"/]+)/g)) {
          if (imported && names.has(imported) && !declared.has(imported))
            undeclared.push(`${pkg.dir}/${file} imports ${imported}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });

  it("keeps the foundation packages' own tests off @okr/testkit", () => {
    for (const name of ["config", "events", "telemetry", "database", "messaging", "service-kit"]) {
      expect(graph.get(`@okr/${name}`), name).not.toContain("@okr/testkit");
    }
  });
});
