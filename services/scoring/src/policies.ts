import type { SqlRunner } from "@okr/database";
import { DEFAULT_SCORING_POLICY, type ScoringPolicy, validatePolicy } from "@okr/scoring-rules";

/**
 * The policy that keeps a tenant's live scores current: the latest version of its policy named
 * "default", or the built-in default (version 1) when the organization never configured one.
 */
export const LIVE_POLICY_ID = DEFAULT_SCORING_POLICY.id;

/** Latest version of each tenant's live policy (built-in default when none stored). */
export async function livePolicies(db: SqlRunner, tenants: string[]): Promise<Map<string, ScoringPolicy>> {
  const policies = new Map<string, ScoringPolicy>(tenants.map((tenant) => [tenant, DEFAULT_SCORING_POLICY]));
  if (tenants.length === 0) return policies;
  const { rows } = await db.query<{ tenant_id: string; definition: unknown }>(
    `select distinct on (tenant_id) tenant_id, definition from scoring_policies
      where tenant_id = any($1) and id = $2 order by tenant_id, version desc`,
    [tenants, LIVE_POLICY_ID],
  );
  for (const row of rows) policies.set(row.tenant_id, storedPolicy(row.definition));
  return policies;
}

/** The latest version of a tenant's named policy; the built-in default answers to "default" until overridden. */
export async function findPolicy(db: SqlRunner, tenant: string, id: string): Promise<ScoringPolicy | null> {
  const { rows } = await db.query<{ definition: unknown }>(
    `select definition from scoring_policies where tenant_id = $1 and id = $2 order by version desc limit 1`,
    [tenant, id],
  );
  if (rows[0]) return storedPolicy(rows[0].definition);
  return id === DEFAULT_SCORING_POLICY.id ? DEFAULT_SCORING_POLICY : null;
}

/**
 * Stores `policy` as the tenant's version `policy.version` of policy `policy.id`; false when that version is
 * already taken (a concurrent write). Through pg, whose row count is the rows inserted.
 */
export async function insertPolicyVersion(
  db: SqlRunner,
  tenant: string,
  policy: ScoringPolicy,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into scoring_policies (tenant_id, id, version, definition) values ($1, $2, $3, $4)
       on conflict do nothing`,
    [tenant, policy.id, policy.version, JSON.stringify(policy)],
  );
  return rowCount !== 0;
}

function storedPolicy(definition: unknown): ScoringPolicy {
  const result = validatePolicy(definition);
  if (!result.valid) throw new Error(`stored scoring policy is invalid: ${result.problems.join("; ")}`);
  return result.policy;
}
