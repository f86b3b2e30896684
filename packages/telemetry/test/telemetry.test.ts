import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activeTraceId,
  contextFromTraceparent,
  createInMemoryTracing,
  currentTraceparent,
  startTelemetry,
  type Telemetry,
  withSpan,
} from "../src/index.ts";

const tracing = createInMemoryTracing();
let telemetry: Telemetry;

beforeAll(() => {
  telemetry = startTelemetry({ serviceName: "telemetry-test", spanProcessors: [tracing.processor] });
});
afterAll(() => telemetry.shutdown());

async function span(name: string) {
  const found = (await tracing.finishedSpans()).find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no finished span named ${name}`);
  return found;
}

describe("trace context", () => {
  it("continues a trace from a stored traceparent, as a relay or consumer does", async () => {
    const stored = await withSpan("write", {}, async () => currentTraceparent());
    expect(stored).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const continued = await withSpan("read", { parent: contextFromTraceparent(stored) }, async () =>
      activeTraceId(),
    );
    expect(continued).toBe(stored?.split("-")[1]);
    const write = await span("write");
    const read = await span("read");
    expect(read.spanContext().traceId).toBe(write.spanContext().traceId);
    expect(read.parentSpanContext?.spanId).toBe(write.spanContext().spanId);
  });

  it("records a failing span as an error and rethrows", async () => {
    await expect(
      withSpan("fails", {}, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const failed = await span("fails");
    expect(failed.status).toEqual({ code: 2, message: "boom" });
    expect(failed.events[0]?.name).toBe("exception");
  });

  it("has no traceparent outside a span", () => {
    expect(currentTraceparent()).toBeUndefined();
  });
});
