import type pg from "pg";

/** Whether the caller is a person of the tenant whom the identity provider deactivated (one key lookup). */
export async function isDeactivated(pool: pg.Pool, tenantId: string, personId: string): Promise<boolean> {
  const { rows } = await pool.query<{ active: boolean }>({
    name: "goals-person-active",
    text: "select active from people where tenant_id = $1 and id = $2",
    values: [tenantId, personId],
  });
  return rows[0]?.active === false;
}
