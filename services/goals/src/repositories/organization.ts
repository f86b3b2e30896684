import { conflict } from "@okr/service-kit";
import type { GoalsTx } from "../database.ts";

/**
 * Everything in goals hangs off the tenant's organization (its policy, its program of cycles): before it
 * exists, creating it is the only write. Creating a KR needs a cycle, so the check-in path needs no check.
 */
/** Returns the organization's name (the cycle runs label their workflows with it). */
export async function requireOrganization(
  db: Pick<GoalsTx, "organization">,
  tenantId: string,
): Promise<{ name: string }> {
  const found = await db.organization.findUnique({ where: { id: tenantId }, select: { name: true } });
  if (!found)
    throw conflict(
      "organization-required",
      "this tenant has no organization yet: create it first with PUT /organization",
    );
  return found;
}
