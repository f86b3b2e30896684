import { globSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { defineConfig } from "vitest/config";

/** Every workspace with tests is a project; all inherit the settings below. */
const workspaces = ["packages/*/package.json", "services/*/package.json", "infra/package.json"]
  .flatMap((pattern) => globSync(pattern))
  .map((file) => ({ root: dirname(file), name: JSON.parse(readFileSync(file, "utf8")).name as string }));

// Integration and end-to-end tests talk to the real Postgres, Kafka and Temporal that `npm test`
// (infra/bin/okr) brings up: consumer-group joins and workflow runs take seconds, not milliseconds.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: workspaces.map(({ root, name }) => ({
      extends: true,
      test: { name, root, include: ["test/**/*.test.ts"] },
    })),
  },
});
