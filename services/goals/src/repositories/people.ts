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

/** The person a sign-in identity is linked to, and whether they may act (one key lookup and a join). */
export async function linkedPerson(
  pool: pg.Pool,
  tenantId: string,
  issuer: string,
  subject: string,
): Promise<{ id: string; active: boolean } | undefined> {
  const { rows } = await pool.query<{ id: string; active: boolean }>({
    name: "goals-linked-person",
    text: `select p.id, p.active from identity_links l
             join people p on p.tenant_id = l.tenant_id and p.id = l.person_id
            where l.tenant_id = $1 and l.issuer = $2 and l.subject = $3`,
    values: [tenantId, issuer, subject],
  });
  return rows[0];
}
