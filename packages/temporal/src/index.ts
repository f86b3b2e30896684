export { connectTemporalClient, type TemporalEndpoint } from "./client.ts";
export { installTemporalRuntime, tracingWorkerOptions } from "./worker.ts";
