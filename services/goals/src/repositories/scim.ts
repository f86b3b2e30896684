import { isUuid } from "@okr/events";
import type { GoalsDb } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ScimError } from "../scim/errors.ts";
import type { FilterTerm } from "../scim/filter.ts";

type Db = GoalsDb | Prisma.TransactionClient;

/** A filter term on an attribute goals cannot search is a 400 `invalidFilter`, not an empty list. */
const unsupported = (term: FilterTerm, what: string) =>
  new ScimError(400, `cannot filter ${what} by ${term.attribute}`, "invalidFilter");

const NOTHING = { id: { in: [] as string[] } };
const text = (term: FilterTerm) => {
  if (typeof term.value !== "string")
    throw new ScimError(400, `${term.attribute} is compared with a string`, "invalidFilter");
  return term.value;
};

/** The login name an identity provider matches on: the SCIM userName, else (people added in goals) the email. */
export const userNameIs = (userName: string): Prisma.PersonWhereInput => ({
  OR: [
    { userName: { equals: userName, mode: "insensitive" } },
    { userName: null, email: { equals: userName, mode: "insensitive" } },
  ],
});

function personTerm(term: FilterTerm): Prisma.PersonWhereInput {
  switch (term.attribute) {
    case "username":
      return userNameIs(text(term));
    case "externalid":
      return { externalId: text(term) };
    case "id":
      return isUuid(text(term)) ? { id: text(term) } : NOTHING;
    case "displayname":
      return { name: { equals: text(term), mode: "insensitive" } };
    case "emails.value":
      return { email: { equals: text(term), mode: "insensitive" } };
    case "emails.type":
      // goals keeps one address per person, the work one.
      return text(term).toLowerCase() === "work" ? {} : NOTHING;
    case "active":
      if (typeof term.value !== "boolean") throw unsupported(term, "users");
      return { active: term.value };
    default:
      throw unsupported(term, "users");
  }
}

function teamTerm(term: FilterTerm): Prisma.TeamWhereInput {
  switch (term.attribute) {
    case "displayname":
      return { name: { equals: text(term), mode: "insensitive" } };
    case "externalid":
      return { externalId: text(term) };
    case "id":
      return isUuid(text(term)) ? { id: text(term) } : NOTHING;
    case "members.value":
      return isUuid(text(term)) ? { memberships: { some: { personId: text(term) } } } : NOTHING;
    default:
      throw unsupported(term, "groups");
  }
}

export const personSelect = {
  id: true,
  name: true,
  email: true,
  active: true,
  externalId: true,
  userName: true,
  givenName: true,
  familyName: true,
  timeZone: true,
  managerId: true,
  createdAt: true,
  updatedAt: true,
} as const;
export type ScimPersonRow = Prisma.PersonGetPayload<{ select: typeof personSelect }>;

export const teamSelect = {
  id: true,
  name: true,
  externalId: true,
  createdAt: true,
  updatedAt: true,
  memberships: {
    select: { personId: true, person: { select: { name: true } } },
    orderBy: { personId: "asc" },
  },
} as const;
export type ScimTeamRow = Prisma.TeamGetPayload<{ select: typeof teamSelect }>;

interface Page {
  startIndex: number;
  count: number;
}

/** One page (skipped entirely when count is 0) and how many match in all. */
async function onePage<Row>(
  page: Page,
  count: () => Promise<number>,
  find: (window: { skip: number; take: number }) => Promise<Row[]>,
) {
  const [totalResults, rows] = await Promise.all([
    count(),
    page.count === 0 ? Promise.resolve([]) : find({ skip: page.startIndex - 1, take: page.count }),
  ]);
  return { totalResults, rows };
}

/** One page of the tenant's people matching every term, in id order, and how many match in all. */
export function findPeople(db: Db, tenantId: string, terms: FilterTerm[], page: Page) {
  const where: Prisma.PersonWhereInput = { tenantId, AND: terms.map(personTerm) };
  return onePage(
    page,
    () => db.person.count({ where }),
    (window) => db.person.findMany({ where, select: personSelect, orderBy: { id: "asc" }, ...window }),
  );
}

export function findTeams(db: Db, tenantId: string, terms: FilterTerm[], page: Page) {
  const where: Prisma.TeamWhereInput = { tenantId, AND: terms.map(teamTerm) };
  return onePage(
    page,
    () => db.team.count({ where }),
    (window) => db.team.findMany({ where, select: teamSelect, orderBy: { id: "asc" }, ...window }),
  );
}

export const findPerson = (db: Db, tenantId: string, id: string) =>
  isUuid(id) ? db.person.findFirst({ where: { tenantId, id }, select: personSelect }) : Promise.resolve(null);

export const findTeam = (db: Db, tenantId: string, id: string) =>
  isUuid(id) ? db.team.findFirst({ where: { tenantId, id }, select: teamSelect }) : Promise.resolve(null);

/** Another person of the tenant who already has this login name or email, if any. */
export const findClash = (db: Db, tenantId: string, userName: string, email: string, except?: string) =>
  db.person.findFirst({
    where: {
      tenantId,
      ...(except ? { id: { not: except } } : {}),
      OR: [userNameIs(userName), { email: { equals: email, mode: "insensitive" } }],
    },
    select: { id: true },
  });

/** The tenant's people among `ids` (the rest are unknown to it). */
export async function knownPeople(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return new Set();
  const rows = await db.person.findMany({ where: { tenantId, id: { in: valid } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}
