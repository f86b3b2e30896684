/**
 * The demo organization `npm start` seeds through the public API (so it exercises the same validation,
 * outbox and events as real use). Re-running it is harmless: every write is an idempotent upsert.
 */
export const DEMO_TENANT_ID = "5eed0000-0000-4000-8000-000000000001";

export interface DemoSeedOptions {
  goalsUrl: string;
  /** An admin token for DEMO_TENANT_ID. */
  token: string;
}

export async function seedDemoOrganization(options: DemoSeedOptions): Promise<{ name: string }> {
  const organization = {
    name: "Acme Flow",
    mission: "Every customer gets working software the week they ask for it.",
  };
  const response = await fetch(`${options.goalsUrl}/organization`, {
    method: "PUT",
    headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
    body: JSON.stringify(organization),
  });
  if (!response.ok)
    throw new Error(`seeding the demo organization failed: ${response.status} ${await response.text()}`);
  return { name: organization.name };
}
