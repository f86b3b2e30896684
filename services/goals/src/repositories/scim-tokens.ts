import { createHash, randomBytes } from "node:crypto";
import { uuidv7 } from "@okr/events";
import type { GoalsDb } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * The tenant's SCIM provisioning token: 256 random bits, shown once, kept only as its SHA-256 (a
 * high-entropy secret needs no slow hash: nothing short enough to guess is ever stored).
 */
const hashOf = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/** Creates the tenant's token, replacing (revoking) any earlier one. Returns the token's text. */
export async function rotateScimToken(
  tx: Prisma.TransactionClient,
  tenantId: string,
  createdBy: string,
): Promise<{ id: string; token: string; createdAt: Date }> {
  const token = `scim_${randomBytes(32).toString("base64url")}`;
  const id = uuidv7();
  const data = { id, tokenHash: hashOf(token), createdBy, createdAt: new Date() };
  await tx.scimToken.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
  return { id, token, createdAt: data.createdAt };
}

export async function revokeScimToken(tx: Prisma.TransactionClient, tenantId: string): Promise<boolean> {
  const { count } = await tx.scimToken.deleteMany({ where: { tenantId } });
  return count > 0;
}

export function describeScimToken(db: GoalsDb, tenantId: string) {
  return db.scimToken.findUnique({
    where: { tenantId },
    select: { id: true, createdBy: true, createdAt: true },
  });
}

/** The tenant a presented token belongs to, or undefined. */
export async function findScimTokenTenant(
  db: GoalsDb,
  token: string,
): Promise<{ tenantId: string; id: string } | undefined> {
  if (token.length > 200) return undefined;
  const found = await db.scimToken.findUnique({
    where: { tokenHash: hashOf(token) },
    select: { tenantId: true, id: true },
  });
  return found ?? undefined;
}
