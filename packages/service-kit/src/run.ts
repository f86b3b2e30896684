import type { FastifyInstance } from "fastify";

export interface RunServiceOptions {
  app: FastifyInstance;
  host: string;
  port: number;
  /** Closed in order after the HTTP server stopped taking requests (consumers, relay, pools, telemetry). */
  closers: (() => Promise<unknown>)[];
  graceMs: number;
}

/**
 * Listens, then on SIGTERM/SIGINT shuts down gracefully: /readyz turns 503 so load balancers stop
 * sending, in-flight requests finish, background work stops, connections close. A second signal or
 * the grace period forces exit.
 */
export async function runService(options: RunServiceOptions): Promise<void> {
  const { app } = options;
  await app.listen({ host: options.host, port: options.port });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      app.log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      app.log.error(`shutdown took longer than ${options.graceMs} ms; exiting`);
      process.exit(1);
    }, options.graceMs);
    force.unref();
    app.markShuttingDown();
    try {
      await app.close();
      for (const close of options.closers) await close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, "error during shutdown");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
