import type { Principal } from "@okr/service-kit";
import { type GoalsDb, transaction } from "../database.ts";
import { recordAudit } from "./audit.ts";

export interface SignInIdentity {
  tenantId: string;
  issuer: string;
  subject: string;
  email: string;
  /** The issuer vouches for the address (`email_verified`); an unverified one never links. */
  emailVerified: boolean;
}

export type LinkResult =
  | { outcome: "linked" | "already-linked"; personId: string; active: boolean }
  | { outcome: "no-person" | "email-not-verified" };

/**
 * The person a sign-in identity (issuer, subject) is, linking it on first sign-in by verified email:
 * a known link answers at once; otherwise the tenant's person with that email (case-insensitive) is
 * linked, the link audited. Nothing is created: self-join is the caller's decision. A deactivated
 * person is still found (`active: false`) so the caller can refuse them.
 */
export async function linkOnFirstSignIn(db: GoalsDb, identity: SignInIdentity): Promise<LinkResult> {
  const { tenantId, issuer, subject } = identity;
  const known = await db.identityLink.findUnique({
    where: { tenantId_issuer_subject: { tenantId, issuer, subject } },
    select: { person: { select: { id: true, active: true } } },
  });
  if (known) return { outcome: "already-linked", personId: known.person.id, active: known.person.active };
  if (!identity.emailVerified) return { outcome: "email-not-verified" };
  return transaction(db, async (tx) => {
    const person = await tx.person.findFirst({
      where: { tenantId, email: { equals: identity.email.trim(), mode: "insensitive" } },
      select: { id: true, active: true },
      orderBy: { id: "asc" },
    });
    if (!person) return { outcome: "no-person" } as const;
    // Two first sign-ins at once: the second finds the first's link instead of failing.
    const { count } = await tx.identityLink.createMany({
      data: [{ tenantId, issuer, subject, personId: person.id }],
      skipDuplicates: true,
    });
    if (count === 0) {
      const raced = await tx.identityLink.findUniqueOrThrow({
        where: { tenantId_issuer_subject: { tenantId, issuer, subject } },
        select: { person: { select: { id: true, active: true } } },
      });
      return { outcome: "already-linked", personId: raced.person.id, active: raced.person.active } as const;
    }
    const actor: Principal = { tenantId, subject: `${issuer}#${subject}`.slice(0, 200), roles: ["member"] };
    await recordAudit(tx, actor, "identity.linked", { type: "person", id: person.id }, { issuer, subject });
    return { outcome: "linked", personId: person.id, active: person.active } as const;
  });
}
