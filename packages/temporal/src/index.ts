export { connectTemporalClient, type TemporalEndpoint } from "./client.ts";
export {
  bundleWorkflowsQuietly,
  installTemporalRuntime,
  type RunningWorker,
  startWorker,
  tracingWorkerOptions,
} from "./worker.ts";
