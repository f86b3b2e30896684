import { testEndpoints, waitFor } from "@okr/endpoints";
import { createInMemoryTracing, startTelemetry, withSpan } from "@okr/telemetry";
import { startWorker, tracingWorkerOptions } from "@okr/temporal";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { describe, expect, it } from "vitest";
import { startCycleRun, WORKFLOWS_PATH, workflowIds } from "../src/index.ts";
import { harness, newWorld, Record, team, worldActivities } from "./harness.ts";

describe("tracing", () => {
  it("joins the program, cycle and team workflows and their activities to the caller's trace", async () => {
    const tracing = createInMemoryTracing();
    const telemetry = startTelemetry({
      serviceName: "cycle-tracing-test",
      spanProcessors: [tracing.processor],
    });
    const h = await harness();
    const endpoints = testEndpoints();
    const world = newWorld([team("Company", null)]);
    const worker = await startWorker(
      { address: endpoints.TEMPORAL_ADDRESS, namespace: endpoints.TEMPORAL_NAMESPACE },
      {
        taskQueue: h.taskQueue,
        workflowsPath: WORKFLOWS_PATH,
        activities: worldActivities(world, new Record()),
        ...tracingWorkerOptions({
          processor: tracing.processor,
          resource: resourceFromAttributes({ "service.name": "cycle-worker" }),
        }),
      },
    );
    try {
      const traceId = await withSpan("POST /cycles/:cycleId/run", {}, async (span) => {
        await startCycleRun(h.client, world.organizationId, { cycleId: world.cycleId }, h.taskQueue);
        return span.spanContext().traceId;
      });
      // Spans of workflows still running (program, cycle, team) end later; their starts and activities are here.
      const expected = [
        "SignalWithStartWorkflow:programWorkflow",
        "StartChildWorkflow:cycleWorkflow",
        "RunActivity:loadCycle",
        "RunActivity:listTeams",
        "RunActivity:setPhase",
        "HandleSignal:runCycle",
        "StartChildWorkflow:teamDraftingWorkflow",
      ];
      let names: string[] = [];
      await waitFor("the workflows' and activities' spans in the caller's trace", async () => {
        names = (await tracing.finishedSpans())
          .filter((span) => span.spanContext().traceId === traceId)
          .map((span) => span.name);
        return expected.every((name) => names.includes(name));
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}; spans in the trace: ${names.join(", ")}`);
      });
      expect(names).toEqual(expect.arrayContaining(["POST /cycles/:cycleId/run", ...expected]));
    } finally {
      await h.client.workflow
        .getHandle(workflowIds.program(world.organizationId))
        .terminate("test done")
        .catch(() => undefined);
      await worker.stop();
      await telemetry.shutdown();
    }
  }, 90_000);
});
