import { prismaRunner } from "@okr/database";
import { uuidv7 } from "@okr/events";
import type { Principal, SignInIdentity } from "@okr/service-kit";
import { type GoalsDb, type GoalsTx, transaction } from "../database.ts";
import { recordAudit } from "./audit.ts";
import { publishPeopleChanged } from "./events.ts";

export interface TenantSignIn extends SignInIdentity {
  tenantId: string;
}

export type LinkResult =
  | { outcome: "linked" | "already-linked" | "joined"; personId: string; active: boolean }
  | { outcome: "no-person" | "email-not-verified" };

const linkedPerson = { person: { select: { id: true, active: true } } } as const;

/** The name a self-joining person starts with: the issuer's, else the address's local part. */
const nameOf = (identity: TenantSignIn, email: string) =>
  identity.name?.trim() || email.slice(0, Math.max(1, email.indexOf("@"))).slice(0, 200);

/**
 * The person a sign-in identity (issuer, subject) is, linking it on first sign-in by verified email:
 * a known link answers at once; otherwise the tenant's person with that email (case-insensitive) is
 * linked. When nobody has that email and the organization allows self-join, the sign-in creates them as
 * a member. Links and joins are audited. A deactivated person is still found (`active: false`) so the
 * caller can refuse them; an unverified email never links, since anyone can claim an address.
 */
export async function linkOnFirstSignIn(db: GoalsDb, identity: TenantSignIn): Promise<LinkResult> {
  const { tenantId, issuer, subject } = identity;
  const known = await db.identityLink.findUnique({
    where: { tenantId_issuer_subject: { tenantId, issuer, subject } },
    select: linkedPerson,
  });
  if (known) return { outcome: "already-linked", personId: known.person.id, active: known.person.active };
  const email = identity.email?.trim();
  if (!email || !identity.emailVerified) return { outcome: "email-not-verified" };
  return transaction(db, async (tx) => {
    // First sign-ins of one address (the same subject twice, or two subjects) take turns, so a race
    // neither links twice nor lets self-join create the person twice.
    await prismaRunner(tx).query("select 1 as locked from pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `identity-link\n${tenantId}\n${email.toLowerCase()}`,
    ]);
    const raced = await tx.identityLink.findUnique({
      where: { tenantId_issuer_subject: { tenantId, issuer, subject } },
      select: linkedPerson,
    });
    if (raced)
      return { outcome: "already-linked", personId: raced.person.id, active: raced.person.active } as const;
    let person = await tx.person.findFirst({
      where: { tenantId, email: { equals: email, mode: "insensitive" } },
      select: { id: true, active: true },
      orderBy: { id: "asc" },
    });
    let joined = false;
    if (!person) {
      person = await selfJoin(tx, identity, email);
      if (!person) return { outcome: "no-person" } as const;
      joined = true;
    }
    await tx.identityLink.create({ data: { tenantId, issuer, subject, personId: person.id } });
    const actor: Principal = { tenantId, subject: person.id, roles: ["member"] };
    await recordAudit(tx, actor, "identity.linked", { type: "person", id: person.id }, { issuer, subject });
    return { outcome: joined ? "joined" : "linked", personId: person.id, active: person.active } as const;
  });
}

/** Creates the signing-in person as a member when their organization allows self-join; else nothing. */
async function selfJoin(tx: GoalsTx, identity: TenantSignIn, email: string) {
  const { tenantId } = identity;
  const organization = await tx.organization.findUnique({
    where: { id: tenantId },
    select: { selfJoin: true },
  });
  if (!organization?.selfJoin) return null;
  const id = uuidv7();
  const name = nameOf(identity, email);
  await tx.person.create({ data: { id, tenantId, name, email, roles: ["member"] } });
  const actor: Principal = { tenantId, subject: id, roles: ["member"] };
  await recordAudit(tx, actor, "person.self-joined", { type: "person", id }, { name, email });
  await publishPeopleChanged(tx, tenantId, [id]);
  return { id, active: true };
}
