import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";

/** Real SDK spans kept in memory, for tests that assert on traces. Reading flushes first: export is async. */
export function createInMemoryTracing() {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter });
  return {
    processor,
    async finishedSpans(): Promise<ReadableSpan[]> {
      await processor.forceFlush();
      return exporter.getFinishedSpans();
    },
    reset: () => exporter.reset(),
  };
}

export type { ReadableSpan };
