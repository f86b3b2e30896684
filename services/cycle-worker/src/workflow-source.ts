import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { WORKFLOWS_PATH } from "@okr/cycle-workflows";
import type { WorkerOptions } from "@temporalio/worker";

const require = createRequire(import.meta.url);

/** Where `npm run build -w @okr/cycle-worker` writes the prebuilt workflow bundle. */
export const DEFAULT_BUNDLE_PATH = fileURLToPath(new URL("../dist/workflow-bundle.js", import.meta.url));

/** The OpenTelemetry workflow interceptors, compiled into the bundle (or loaded by the worker's own bundling). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve("@temporalio/interceptors-opentelemetry/lib/workflow-interceptors"),
];

export { WORKFLOWS_PATH };

/**
 * The prebuilt bundle when there is one (production: no webpack at start-up, and every replica runs
 * byte-identical workflow code); otherwise the workflow sources, bundled by the worker (development).
 */
export function workflowSource(bundlePath = DEFAULT_BUNDLE_PATH): {
  options: Pick<WorkerOptions, "workflowBundle" | "workflowsPath">;
  prebuilt: boolean;
} {
  if (existsSync(bundlePath))
    return { options: { workflowBundle: { codePath: bundlePath } }, prebuilt: true };
  return { options: { workflowsPath: WORKFLOWS_PATH }, prebuilt: false };
}
