import { existsSync, globSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { bin, ROOT, runInherited } from "./workspace.ts";

/**
 * What `npm test` lints and typechecks. Without a file filter: the whole repository, and the whole
 * workspace as one TypeScript program (tsconfig.json at the root, incremental, its build info under
 * node_modules/.cache/okr), so shared sources are read once and an unchanged tree checks in seconds.
 * With file filters (`npm test -- packages/messaging`, `npm test -- check-ins`): only the workspaces
 * whose test files the filters match, each with its own tsconfig.json; the full checks stay with the
 * unfiltered run and CI.
 */
export interface CheckScope {
  /** Workspace directories relative to the root; undefined means everything. */
  workspaces: string[] | undefined;
}

/** vitest options that take a separate value (`--project x`), so the value is not read as a filter. */
const OPTIONS_WITH_VALUE = new Set([
  "-t",
  "--testNamePattern",
  "--project",
  "-c",
  "--config",
  "-r",
  "--root",
  "--dir",
  "--reporter",
  "--outputFile",
  "--shard",
  "--maxWorkers",
  "--pool",
  "--environment",
  "--mode",
  "--bail",
  "--retry",
  "--testTimeout",
  "--hookTimeout",
  "--sequence.seed",
  "--exclude",
]);

interface Workspace {
  dir: string;
  name: string;
  testFiles: string[];
}

function workspaces(): Workspace[] {
  const patterns = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).workspaces as string[];
  return patterns
    .flatMap((pattern) => globSync(join(pattern, "package.json"), { cwd: ROOT }))
    .map((file) => {
      const dir = dirname(file);
      return {
        dir,
        name: JSON.parse(readFileSync(join(ROOT, file), "utf8")).name as string,
        testFiles: globSync(join(dir, "test/**/*.test.ts"), { cwd: ROOT }),
      };
    });
}

/**
 * The workspaces a filtered run touches: vitest keeps the test files whose path contains a filter, and
 * `--project <name>` keeps one workspace. A name-only filter (-t) or a filter matching nothing gives
 * the full scope, since it says nothing about which sources the run depends on.
 */
export function checkScope(vitestArgs: string[]): CheckScope {
  const filters: string[] = [];
  const projects: string[] = [];
  for (let i = 0; i < vitestArgs.length; i++) {
    const arg = vitestArgs[i] as string;
    if (arg.startsWith("-")) {
      if (arg.includes("=")) {
        if (arg.startsWith("--project=")) projects.push(arg.slice("--project=".length));
      } else if (OPTIONS_WITH_VALUE.has(arg)) {
        const value = vitestArgs[++i];
        if (arg === "--project" && value !== undefined) projects.push(value);
      }
    } else filters.push(arg.replace(/^\.\//, ""));
  }
  if (filters.length === 0 && projects.length === 0) return { workspaces: undefined };
  const touched = workspaces().filter(
    (workspace) =>
      (projects.length === 0 || projects.includes(workspace.name)) &&
      (filters.length === 0 || workspace.testFiles.some((file) => filters.some((f) => file.includes(f)))),
  );
  return { workspaces: touched.length > 0 ? touched.map((workspace) => workspace.dir) : undefined };
}

export function describeScope(scope: CheckScope): string {
  return scope.workspaces ? scope.workspaces.join(", ") : "the whole workspace";
}

export function lint(scope: CheckScope): Promise<number> {
  return runInherited(bin("biome"), ["check", ...(scope.workspaces ?? ["."])]);
}

/**
 * Browser apps (`<workspace>/app/tsconfig.json`) are programs of their own: they check against the DOM
 * and JSX, which the Node program must not see.
 */
function browserPrograms(dirs: readonly string[] | undefined): string[] {
  const candidates = dirs
    ? dirs.map((dir) => join(dir, "app", "tsconfig.json"))
    : globSync("*/*/app/tsconfig.json", { cwd: ROOT });
  return candidates.filter((file) => existsSync(join(ROOT, file)));
}

export async function typecheck(scope: CheckScope): Promise<number> {
  const programs = scope.workspaces
    ? scope.workspaces.map((dir) => join(dir, "tsconfig.json"))
    : ["tsconfig.json"];
  let failed = 0;
  for (const program of [...programs, ...browserPrograms(scope.workspaces)]) {
    if ((await runInherited(bin("tsc"), ["-p", program])) !== 0) failed = 1;
  }
  return failed;
}
