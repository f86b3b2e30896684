import { Client, Connection } from "@temporalio/client";
import { OpenTelemetryWorkflowClientInterceptor } from "@temporalio/interceptors-opentelemetry";

export interface TemporalEndpoint {
  address: string;
  namespace: string;
}

/**
 * A Temporal client whose workflow starts, signals, updates and queries carry the caller's trace
 * context in headers, so workflow and activity spans join the request's trace.
 */
export async function connectTemporalClient(endpoint: TemporalEndpoint): Promise<Client> {
  const connection = await Connection.connect({ address: endpoint.address });
  return new Client({
    connection,
    namespace: endpoint.namespace,
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
}
