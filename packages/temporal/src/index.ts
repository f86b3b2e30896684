export { connectTemporalClient, type TemporalEndpoint } from "./client.ts";
export { bundleWorkflowsQuietly, installTemporalRuntime, tracingWorkerOptions } from "./worker.ts";
