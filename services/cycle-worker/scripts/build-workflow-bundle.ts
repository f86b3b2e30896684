/**
 * Prebuilds the workflow bundle (`npm run build -w @okr/cycle-worker`): the workflow code and the
 * OpenTelemetry workflow interceptors, bundled once so the worker starts without webpack and every
 * replica runs the same code. Writes dist/workflow-bundle.js (or the path given as the first argument).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { bundleWorkflowCode } from "@temporalio/worker";
import { DEFAULT_BUNDLE_PATH, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from "../src/workflow-source.ts";

const target = process.argv[2] ?? DEFAULT_BUNDLE_PATH;
const began = performance.now();
const { code } = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
});
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, code);
console.log(
  `workflow bundle: ${target} (${(code.length / 1024).toFixed(0)} KiB in ${((performance.now() - began) / 1000).toFixed(1)} s)`,
);
