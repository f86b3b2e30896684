import { retryOnConflict } from "@okr/database";
import { canCheckIn, isAdmin, type Owner as OwnerValue, type RuleViolation } from "@okr/goals-domain";
import {
  forbidden,
  IdParams,
  notFound,
  PageQuery,
  type Principal,
  page,
  problems,
  resource,
  Uuid,
} from "@okr/service-kit";
import { Type } from "typebox";
import { personDeactivated } from "../acting-person.ts";
import { type Access, loadAccess } from "../repositories/access.ts";
import {
  CheckInBatcher,
  type CheckInRequest,
  type KeyResultTarget,
  loadTargets,
  type PreparedCheckIn,
  prepareCheckIn,
  TargetLoader,
  writeCheckIns,
} from "../repositories/check-ins.ts";
import { cycleGraded, cycleLocked, rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { DateTime, NullableUuid } from "./schemas.ts";
import { CheckInSchema } from "./views.ts";

const checkInFields = {
  value: Type.Number({ description: "the KR's current value (for milestone KRs: usually milestonesDone)" }),
  confidence: Type.Number({ minimum: 0, maximum: 1, description: "0.0-1.0: how likely the KR is reached" }),
  note: Type.Optional(Type.String({ maxLength: 4000 })),
  evidence: Type.Object(
    {
      url: Type.Optional(
        Type.String({
          format: "uri",
          pattern: "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+",
          maxLength: 2000,
          description: "an http(s) link",
        }),
      ),
      system: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    { additionalProperties: false, description: "required: a link or a system source that shows the value" },
  ),
  milestonesDone: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  recordedAt: Type.Optional(DateTime()),
};

const CheckInBody = Type.Object(checkInFields, { additionalProperties: false });
const BulkBody = Type.Object(
  {
    checkIns: Type.Array(
      Type.Object({ keyResultId: Uuid(), ...checkInFields }, { additionalProperties: false }),
      {
        minItems: 1,
        maxItems: 5000,
      },
    ),
  },
  { additionalProperties: false },
);

const describe = (errors: RuleViolation[]) =>
  errors.map((e) => (e.hint ? `${e.message} (${e.hint})` : e.message)).join("; ");

/**
 * Who may check in where. The common case (the person owns the KR, or belongs to the owning team) is
 * decided from the caller's teams that came with the targets; leaders up the tree need the team tree,
 * loaded only then.
 */
async function permissions(runtime: GoalsRuntime, principal: Principal, targets: KeyResultTarget[]) {
  if (isAdmin({ roles: principal.roles })) return () => true;
  const direct = (owner: OwnerValue, target: KeyResultTarget) =>
    owner.kind === "person" ? owner.id === principal.subject : target.actorTeams.includes(owner.id);
  const others = targets.filter((t) => !direct(t.owner, t));
  if (others.length === 0) return () => true;
  const owners: OwnerValue[] = [
    ...new Map(others.map((t) => [`${t.owner.kind}:${t.owner.id}`, t.owner])).values(),
  ];
  const access: Access = await loadAccess(runtime.pool, principal, owners);
  return (owner: OwnerValue) => canCheckIn(access.actor, owner, access.context);
}

const author = (principal: Principal) => ({
  id: principal.subject.slice(0, 200),
  source: principal.roles.includes("service") ? ("system" as const) : ("person" as const),
});

const present = (c: PreparedCheckIn) => ({
  id: c.event.checkInId,
  keyResultId: c.event.keyResultId,
  value: c.event.value,
  confidence: c.event.confidence,
  note: c.event.note,
  evidence: c.event.evidence,
  milestonesDone: c.event.milestonesDone ?? null,
  authorId: c.authorSubject,
  source: c.event.source,
  recordedAt: c.event.recordedAt,
});

/** Check-ins: one at a time for people, in bulk for integrations. Every check-in carries evidence. */
export const checkInRoutes = resource<GoalsRuntime>("check-ins", (app, runtime) => {
  const targets = new TargetLoader(runtime.pool);
  const batcher = new CheckInBatcher(runtime.pool);
  app.post(
    "/key-results/:id/check-ins",
    {
      config: { actorCheckedInline: true },
      schema: {
        summary:
          "Record a check-in (value, confidence, note, evidence) on a key result you or your team own; rejected without evidence or after the cycle end",
        params: IdParams,
        body: CheckInBody,
        response: { 201: CheckInSchema, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      const target = await targets.load(principal.tenantId, request.params.id, principal.subject);
      if (!target) throw notFound(`key result ${request.params.id}`);
      if (target.actorDeactivated) throw personDeactivated();
      const may = await permissions(runtime, principal, [target]);
      if (!may(target.owner))
        throw forbidden("members check in on key results they or their team own (leaders: teams they lead)");
      if (target.cycleGraded) throw cycleGraded();
      if (target.context.cycle.locked) throw cycleLocked(target.context.cycle.phase);
      const prepared = prepareCheckIn(
        principal.tenantId,
        { ...request.body, keyResultId: target.id },
        target,
        author(principal),
        new Date(),
      );
      if (!prepared.ok) return rejectIf(prepared.errors) as never;
      if (!(await batcher.write(prepared.checkIn))) throw cycleLocked("SCORING");
      return reply.status(201).send(present(prepared.checkIn));
    },
  );

  app.get(
    "/key-results/:id/check-ins",
    {
      schema: {
        summary: "A key result's check-ins, oldest first (paginated)",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: Type.Object({ items: Type.Array(CheckInSchema), nextCursor: NullableUuid() }),
          ...problems(404),
        },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      const kr = await runtime.db.keyResult.findFirst({
        where: { id: request.params.id, tenantId },
        select: { id: true },
      });
      if (!kr) throw notFound(`key result ${request.params.id}`);
      const { limit, cursor } = request.query;
      const rows = await runtime.db.checkIn.findMany({
        where: { tenantId, keyResultId: kr.id, ...(cursor ? { id: { gt: cursor } } : {}) },
        orderBy: { id: "asc" },
        take: limit + 1,
      });
      const result = page(rows, limit);
      return {
        items: result.items.map((row) => ({
          id: row.id,
          keyResultId: row.keyResultId,
          value: row.value,
          confidence: row.confidence,
          note: row.note,
          evidence: {
            ...(row.evidenceUrl ? { url: row.evidenceUrl } : {}),
            ...(row.evidenceSystem ? { system: row.evidenceSystem } : {}),
          },
          milestonesDone: row.milestonesDone,
          authorId: row.authorId,
          source: row.source,
          recordedAt: row.recordedAt.toISOString(),
        })),
        nextCursor: result.nextCursor,
      };
    },
  );

  app.post(
    "/check-ins/bulk",
    {
      bodyLimit: 16 * 1024 * 1024,
      config: { actorCheckedInline: true },
      schema: {
        summary:
          "Record many check-ins in one call (integrations; up to 5000). Each is checked on its own: valid ones are written in one transaction, the rest come back in `rejected` with the reason",
        body: BulkBody,
        response: {
          200: Type.Object({
            accepted: Type.Integer(),
            checkIns: Type.Array(Type.Object({ index: Type.Integer(), id: Uuid() })),
            rejected: Type.Array(
              Type.Object({
                index: Type.Integer(),
                keyResultId: Uuid(),
                status: Type.Integer(),
                detail: Type.String(),
                errors: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
              }),
            ),
          }),
          ...problems(400, 403),
        },
      },
    },
    async (request) => {
      const { principal } = request;
      const items = request.body.checkIns;
      const targets = await loadTargets(
        runtime.pool,
        principal.tenantId,
        [...new Set(items.map((item) => item.keyResultId))],
        principal.subject,
      );
      if ([...targets.values()].some((target) => target.actorDeactivated)) throw personDeactivated();
      const may = await permissions(runtime, principal, [...targets.values()]);
      const now = new Date();
      const who = author(principal);
      const accepted: { index: number; checkIn: PreparedCheckIn }[] = [];
      const rejected: {
        index: number;
        keyResultId: string;
        status: number;
        detail: string;
        errors?: object[];
      }[] = [];
      for (const [index, item] of items.entries()) {
        const target = targets.get(item.keyResultId);
        const reject = (status: number, detail: string, errors?: object[]) =>
          rejected.push({
            index,
            keyResultId: item.keyResultId,
            status,
            detail,
            ...(errors ? { errors } : {}),
          });
        if (!target) {
          reject(404, `key result ${item.keyResultId} does not exist`);
          continue;
        }
        if (!may(target.owner)) {
          reject(403, "members check in on key results they or their team own");
          continue;
        }
        const prepared = prepareCheckIn(principal.tenantId, item as CheckInRequest, target, who, now);
        if (prepared.ok) accepted.push({ index, checkIn: prepared.checkIn });
        else reject(422, describe(prepared.errors), prepared.errors);
      }
      // One autocommit statement: when Postgres aborts it (deadlock, serialization), nothing was kept.
      const written = await retryOnConflict(() =>
        writeCheckIns(
          runtime.pool,
          accepted.map((a) => a.checkIn),
        ),
      );
      const checkIns: { index: number; id: string }[] = [];
      for (const { index, checkIn } of accepted) {
        if (written.has(checkIn.event.checkInId)) checkIns.push({ index, id: checkIn.event.checkInId });
        else
          rejected.push({
            index,
            keyResultId: checkIn.event.keyResultId,
            status: 409,
            detail: "the cycle was locked while the check-in was written",
          });
      }
      rejected.sort((a, b) => a.index - b.index);
      return { accepted: checkIns.length, checkIns, rejected };
    },
  );
});
