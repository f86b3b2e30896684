import { proxyActivities } from "@temporalio/workflow";
import type * as activities from "./welcome-activities.ts";

const { recordWelcome } = proxyActivities<typeof activities>({
  startToCloseTimeout: "10 seconds",
  retry: { maximumAttempts: 3 },
});

/** Deterministic workflow for the platform smoke test: one activity, then done. */
export async function welcomeOrganization(organizationId: string): Promise<string> {
  const receipt = await recordWelcome(organizationId);
  return `welcomed ${organizationId} (${receipt})`;
}
