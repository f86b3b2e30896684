import { CycleNotRunningError, UpdateRejectedError, WorkflowBusyError } from "@okr/cycle-workflows";
import { conflict, notFound, Problem, unprocessable } from "@okr/service-kit";
import { connectTemporalClient } from "@okr/temporal";
import type { Client } from "@temporalio/client";

/**
 * One Temporal client per service runtime, connected on first use (the goals API serves everything
 * else while Temporal is down; a failed connection is retried on the next request).
 */
export function lazyTemporalClient(endpoint: { address: string; namespace: string }): () => Promise<Client> {
  let client: Promise<Client> | undefined;
  return () => {
    client ??= connectTemporalClient(endpoint).catch((error: unknown) => {
      client = undefined;
      throw new Problem(
        503,
        "temporal-unavailable",
        "Workflow engine unavailable",
        `Temporal: ${String(error)}`,
      );
    });
    return client;
  };
}

const CONFLICTS = new Set(["WrongPhase", "InvalidState", "DraftingOpening"]);
const kebab = (type: string) => type.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();

/** Workflow answers as problem+json: a validator's rejection keeps its reason; a missing run is a 404. */
export function asProblem(error: unknown, what: string): unknown {
  if (error instanceof UpdateRejectedError) {
    const code = kebab(error.type);
    return CONFLICTS.has(error.type) ? conflict(code, error.message) : unprocessable(code, error.message);
  }
  if (error instanceof CycleNotRunningError) return notFound(what);
  if (error instanceof WorkflowBusyError)
    return new Problem(
      503,
      "workflow-busy",
      "Workflow busy",
      "the cycle is handling many requests; retry in a moment",
    );
  return error;
}
