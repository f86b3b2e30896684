/** The baseline of cascade.bench.ts: a workflow that does nothing, so it costs exactly one workflow task. */
export async function noopWorkflow(): Promise<void> {}
