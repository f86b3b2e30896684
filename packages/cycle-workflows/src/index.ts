/**
 * @okr/cycle-workflows: the OKR program, cycle and team-drafting workflows (workflow code lives in
 * workflows.ts, the bundle entry), their public API (ids, task queue, signals, updates, queries), the
 * activity contract the cycle worker implements, and client helpers for the services.
 */
export type * from "./activities.ts";
export * from "./api.ts";
export * from "./client.ts";
export { buildCycleReport, carryForward } from "./report.ts";
export { OKR_SEARCH_ATTRIBUTES, type OkrSearchAttributeName } from "./search-attributes.ts";

/** Absolute path of the workflow bundle entry, for Worker.create({ workflowsPath }) and bundleWorkflowCode. */
export const WORKFLOWS_PATH = new URL("./workflows.ts", import.meta.url).pathname;
