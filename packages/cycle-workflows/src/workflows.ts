/** The workflow bundle's entry (workflowsPath): workflow functions only, nothing that does I/O. */
export { cycleWorkflow } from "./cycle.ts";
export { programWorkflow } from "./program.ts";
export { teamDraftingWorkflow } from "./team-drafting.ts";
