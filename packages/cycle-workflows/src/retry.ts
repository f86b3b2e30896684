import type { ActivityOptions } from "@temporalio/workflow";

/**
 * Every activity retries with backoff, within bounds: a few minutes of attempts, then the workflow
 * decides (reminders are skipped; essential steps pause the cycle for an operator). Errors that will
 * not get better on retry (a 4xx from a service) are not retried.
 */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: "1 minute",
  retry: {
    initialInterval: "1 second",
    backoffCoefficient: 2,
    maximumInterval: "1 minute",
    maximumAttempts: 8,
    nonRetryableErrorTypes: ["BadRequest", "NotFound", "Forbidden", "Unauthorized", "Conflict"],
  },
};
