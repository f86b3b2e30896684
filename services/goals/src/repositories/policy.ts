import { DEFAULT_POLICY, type OkrPolicy } from "@okr/goals-domain";
import type { GoalsDb, GoalsTx } from "../database.ts";

/** The organization's OKR policy, or the method's defaults when it has not set one. */
export async function loadPolicy(db: GoalsDb | GoalsTx, tenantId: string): Promise<OkrPolicy> {
  const organization = await db.organization.findUnique({
    where: { id: tenantId },
    select: { policy: true },
  });
  return (organization?.policy as OkrPolicy | null | undefined) ?? DEFAULT_POLICY;
}
