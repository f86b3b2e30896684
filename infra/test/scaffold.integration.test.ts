import { execFile } from "node:child_process";
import { existsSync, lstatSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { uniqueName } from "@okr/endpoints";
import { describe, expect, it } from "vitest";
import { invalidServiceName, scaffoldService } from "../cli/scaffold.ts";
import { bin, ROOT } from "../cli/workspace.ts";

/** Runs a tool of the workspace from the repository root; resolves with its exit code and output. */
function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  // The child is a vitest of its own: it must not take this run's worker settings for its own.
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST") && key !== "FORCE_COLOR"),
    ),
    NO_COLOR: "1",
  };
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.slice(-6000) });
    });
  });
}

describe("npm run new-service", () => {
  it("refuses a name that is no service name, or one taken", () => {
    for (const name of ["Reports", "reports_v2", "-reports", "reports-", "two--dashes", "9lives", ""])
      expect(invalidServiceName(name), name).toBeDefined();
    expect(invalidServiceName("notifier")).toMatch(/exists already/);
    expect(invalidServiceName("weekly-digest")).toBeUndefined();
  });

  it("creates a service that passes its typecheck, lint and tests on real Postgres and Kafka, and leaves nothing behind", async () => {
    const name = uniqueName("scaffold-check");
    const dir = join(ROOT, "services", name);
    try {
      expect(scaffoldService(name, { description: "A service the scaffold test makes and removes." })).toBe(
        dir,
      );

      // The messaging tables come first, from the one shared file; the models match it.
      const messaging = join(dir, "prisma/migrations/20261125000000_messaging_tables/migration.sql");
      expect(lstatSync(messaging).isSymbolicLink()).toBe(true);
      expect(realpathSync(messaging)).toBe(
        realpathSync(join(ROOT, "packages/messaging/sql/messaging-tables.sql")),
      );
      const models = readFileSync(join(ROOT, "packages/messaging/prisma-models.prisma"), "utf8").trim();
      expect(readFileSync(join(dir, "prisma/schema.prisma"), "utf8")).toContain(models);
      expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe(`@okr/${name}-service`);

      const typecheck = await run(bin("tsc"), ["-p", join(dir, "tsconfig.json"), "--noEmit"]);
      expect(typecheck.code, typecheck.output).toBe(0);
      const lint = await run(bin("biome"), ["check", dir]);
      expect(lint.code, lint.output).toBe(0);
      // The root vitest config makes every services/*/package.json a project, so a new one runs as is.
      const tests = await run(bin("vitest"), ["run", "--project", `@okr/${name}-service`]);
      expect(tests.code, tests.output).toBe(0);
      expect(tests.output).toMatch(/Tests\s+3 passed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(dir)).toBe(false);
  }, 600_000);
});
