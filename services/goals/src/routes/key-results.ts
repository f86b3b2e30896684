import { uuidv7 } from "@okr/events";
import {
  canWorkOn,
  checkEditable,
  checkKeyResultCountOnAdd,
  type EvidenceKind,
  type KeyResultDefinition,
  type KeyResultType as KrType,
  keyResultMeasure,
  type Owner as OwnerValue,
  validateKeyResult,
} from "@okr/goals-domain";
import {
  conflict,
  forbidden,
  IdParams,
  noContent,
  notFound,
  PageQuery,
  page,
  problems,
  resource,
  Uuid,
} from "@okr/service-kit";
import { type Static, Type } from "typebox";
import { type GoalsTx, transaction } from "../database.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { loadAccess } from "../repositories/access.ts";
import { recordAudit } from "../repositories/audit.ts";
import { publishCarriedForward, publishKeyResult } from "../repositories/events.ts";
import { presentKeyResult } from "../repositories/objective-view.ts";
import { assertOwnerExists } from "../repositories/owners.ts";
import { loadPolicy } from "../repositories/policy.ts";
import { applyVerdict, conflictOn, cycleLocked, rejectIf } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import { KeyResultType, Literals, NullableUuid, Owner, Warnings } from "./schemas.ts";
import { KeyResultSchema } from "./views.ts";

const NullableNumber = () => Type.Union([Type.Number(), Type.Null()]);

const keyResultFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  type: KeyResultType(),
  baseline: Type.Optional(NullableNumber()),
  target: Type.Optional(NullableNumber()),
  bandLow: Type.Optional(NullableNumber()),
  bandHigh: Type.Optional(NullableNumber()),
  milestones: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 30 })),
  unit: Type.Optional(Type.String({ maxLength: 40 })),
  weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
  owner: Type.Optional(
    Type.Union([Owner(), Type.Null()], { description: "defaults to the objective's owner" }),
  ),
  evidence: Type.Optional(
    Type.Object(
      {
        kind: Literals(["url", "system", "any"] as const),
        description: Type.Optional(
          Type.String({ maxLength: 1000, description: "what the evidence must show" }),
        ),
      },
      { additionalProperties: false, description: "the evidence each check-in must carry" },
    ),
  ),
};

export const KeyResultBody = Type.Object(
  {
    ...keyResultFields,
    carriedFromKeyResultId: Type.Optional(
      Uuid("the key result of an earlier cycle this one carries forward (set once, when it is created)"),
    ),
  },
  { additionalProperties: false },
);
export type KeyResultInput = Static<typeof KeyResultBody>;

/** A change to a key result's definition (what it carries forward is fixed when it is created). */
const KeyResultPatch = Type.Object(
  Object.fromEntries(
    Object.entries(keyResultFields).map(([k, v]) => [k, Type.Optional(v)]),
  ) as unknown as typeof keyResultFields,
  { additionalProperties: false, minProperties: 1 },
);

export const toDefinition = (input: KeyResultInput): KeyResultDefinition => ({
  title: input.title,
  type: input.type as KrType,
  baseline: input.baseline ?? null,
  target: input.target ?? null,
  bandLow: input.bandLow ?? null,
  bandHigh: input.bandHigh ?? null,
  milestones: input.milestones ?? [],
  unit: input.unit ?? "",
  weight: input.weight ?? 1,
  evidenceKind: (input.evidence?.kind ?? "any") as EvidenceKind,
});

/** Validates a KR definition, prefixing field paths (e.g. /keyResults/2/target) for nested bodies. */
export function rejectUnmeasurable(definition: KeyResultDefinition, prefix = ""): void {
  rejectIf(validateKeyResult(definition).map((e) => ({ ...e, path: `${prefix}${e.path ?? ""}` })));
}

export function keyResultRow(
  input: KeyResultInput,
  objective: { id: string; tenantId: string; cycleId: string },
): Prisma.KeyResultCreateManyInput {
  const definition = toDefinition(input);
  return {
    id: uuidv7(),
    tenantId: objective.tenantId,
    objectiveId: objective.id,
    cycleId: objective.cycleId,
    ...keyResultMeasure(definition),
    evidenceKind: definition.evidenceKind,
    evidenceDescription: input.evidence?.description ?? "",
    ownerKind: input.owner?.kind ?? null,
    ownerId: input.owner?.id ?? null,
    // Only a new key result names what it carries; a change leaves the link as it is.
    ...(input.carriedFromKeyResultId ? { carriedFromKeyResultId: input.carriedFromKeyResultId } : {}),
  };
}

/**
 * A carried key result continues one of this tenant's key results from another cycle: an unknown id is
 * a 404 (another tenant's is unknown too), one of the same cycle a 422. Returns the cycle of each.
 */
export async function assertCarriedFrom(
  tx: GoalsTx,
  tenantId: string,
  cycleId: string,
  inputs: KeyResultInput[],
  prefix = "",
): Promise<Map<string, string>> {
  const ids = inputs.map((input) => input.carriedFromKeyResultId).filter((id): id is string => !!id);
  if (ids.length === 0) return new Map();
  const found = await tx.keyResult.findMany({
    where: { tenantId, id: { in: ids } },
    select: { id: true, cycleId: true },
  });
  const cycleOf = new Map(found.map((kr) => [kr.id, kr.cycleId] as const));
  inputs.forEach((input, index) => {
    const id = input.carriedFromKeyResultId;
    if (!id) return;
    if (!cycleOf.has(id)) throw notFound(`key result ${id}`);
    if (cycleOf.get(id) === cycleId)
      rejectIf([
        {
          code: "key-result-carried-within-cycle",
          message: `key result ${id} is in this cycle already; a key result is carried into another cycle`,
          path: `${prefix ? `${prefix}/${index}` : ""}/carriedFromKeyResultId`,
        },
      ]);
  });
  return cycleOf;
}

const KeyResultWithWarnings = Type.Object({
  ...KeyResultSchema.properties,
  warnings: Type.Optional(Warnings),
});

async function loadForChange(tx: GoalsTx, tenantId: string, objectiveId: string) {
  const objective = await tx.objective.findFirst({
    where: { id: objectiveId, tenantId },
    include: { cycle: true },
  });
  if (!objective) throw notFound(`objective ${objectiveId}`);
  if (objective.cycle.locked) throw cycleLocked(objective.cycle.phase);
  const notEditable = checkEditable(objective.state as never);
  if (notEditable) throw conflictOn(notEditable);
  return objective;
}

/** Key results of an objective: measurable definitions (numbers, bands, milestones) and the evidence they demand. */
export const keyResultRoutes = resource<GoalsRuntime>("key results", (app, runtime) => {
  const mayChange = async (request: Parameters<typeof loadAccess>[1], owners: OwnerValue[]) => {
    const access = await loadAccess(runtime.pool, request, owners);
    if (!owners.every((owner) => canWorkOn(access.actor, owner, access.context)))
      throw forbidden("only the owners of the objective, their leaders and admins change its key results");
  };
  /** The tenant's key result and its objective, for a change the principal may make (else 404, 409, 403). */
  const keyResultForChange = async (tx: GoalsTx, principal: Parameters<typeof mayChange>[0], id: string) => {
    const existing = await tx.keyResult.findFirst({ where: { id, tenantId: principal.tenantId } });
    if (!existing) throw notFound(`key result ${id}`);
    const objective = await loadForChange(tx, principal.tenantId, existing.objectiveId);
    await mayChange(principal, [{ kind: objective.ownerKind, id: objective.ownerId } as OwnerValue]);
    return { existing, objective };
  };

  app.post(
    "/objectives/:id/key-results",
    {
      config: { creates: "/key-results/:id" },
      schema: {
        summary: "Add a key result to an objective (owners, their leaders, admins)",
        params: IdParams,
        body: KeyResultBody,
        response: { 201: KeyResultWithWarnings, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.principal;
      const result = await transaction(runtime.db, async (tx) => {
        const objective = await loadForChange(tx, tenantId, request.params.id);
        const owner = { kind: objective.ownerKind, id: objective.ownerId } as OwnerValue;
        await mayChange(request.principal, [owner]);
        if (request.body.owner) await assertOwnerExists(tx, tenantId, request.body.owner);
        rejectUnmeasurable(toDefinition(request.body));
        const carriedFrom = await assertCarriedFrom(tx, tenantId, objective.cycleId, [request.body]);
        const existing = await tx.keyResult.count({ where: { tenantId, objectiveId: objective.id } });
        const warnings = applyVerdict(checkKeyResultCountOnAdd(await loadPolicy(tx, tenantId), existing));
        const created = await tx.keyResult.create({ data: keyResultRow(request.body, objective) });
        await publishKeyResult(tx, tenantId, created);
        await publishCarriedForward(tx, tenantId, [created], carriedFrom);
        await recordAudit(
          tx,
          request.principal,
          "key-result.created",
          { type: "key-result", id: created.id },
          request.body,
        );
        return { ...presentKeyResult(created, objective), ...(warnings.length ? { warnings } : {}) };
      });
      return reply.status(201).send(result);
    },
  );

  app.get(
    "/key-results",
    {
      schema: {
        summary: "List key results (paginated; filter by cycle, objective, owner)",
        querystring: Type.Object(
          {
            ...PageQuery,
            cycleId: Type.Optional(Uuid()),
            objectiveId: Type.Optional(Uuid()),
            ownerId: Type.Optional(Uuid("the KR's own owner, or its objective's owner when it has none")),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(KeyResultSchema), nextCursor: NullableUuid() }) },
      },
    },
    async (request) => {
      const { limit, cursor, cycleId, objectiveId, ownerId } = request.query;
      const rows = await runtime.db.keyResult.findMany({
        where: {
          tenantId: request.principal.tenantId,
          ...(cursor ? { id: { gt: cursor } } : {}),
          ...(cycleId ? { cycleId } : {}),
          ...(objectiveId ? { objectiveId } : {}),
          ...(ownerId ? { OR: [{ ownerId }, { ownerId: null, objective: { ownerId } }] } : {}),
        },
        include: { objective: { select: { ownerKind: true, ownerId: true } } },
        orderBy: { id: "asc" },
        take: limit + 1,
      });
      const result = page(rows, limit);
      const scores = await runtime.db.keyResultScore.findMany({
        where: { tenantId: request.principal.tenantId, keyResultId: { in: result.items.map((r) => r.id) } },
      });
      const byId = new Map(scores.map((s) => [s.keyResultId, s] as const));
      return {
        items: result.items.map((row) => presentKeyResult(row, row.objective, byId.get(row.id))),
        nextCursor: result.nextCursor,
      };
    },
  );

  app.get(
    "/key-results/:id",
    {
      schema: {
        summary: "One key result with its latest value, confidence and score",
        params: IdParams,
        response: { 200: KeyResultSchema, ...problems(404) },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      const row = await runtime.db.keyResult.findFirst({
        where: { id: request.params.id, tenantId },
        include: { objective: { select: { ownerKind: true, ownerId: true } } },
      });
      if (!row) throw notFound(`key result ${request.params.id}`);
      const score = await runtime.db.keyResultScore.findFirst({ where: { tenantId, keyResultId: row.id } });
      return presentKeyResult(row, row.objective, score ?? undefined);
    },
  );

  app.patch(
    "/key-results/:id",
    {
      schema: {
        summary: "Change a key result's definition while its objective is editable and its cycle unlocked",
        params: IdParams,
        body: KeyResultPatch,
        response: { 200: KeyResultSchema, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      return transaction(runtime.db, async (tx) => {
        const { existing, objective } = await keyResultForChange(tx, request.principal, request.params.id);
        const body = request.body;
        if (body.owner) await assertOwnerExists(tx, tenantId, body.owner);
        const merged: KeyResultInput = {
          title: body.title ?? existing.title,
          type: (body.type ?? existing.type) as KrType,
          baseline: body.baseline !== undefined ? body.baseline : existing.baseline,
          target: body.target !== undefined ? body.target : existing.target,
          bandLow: body.bandLow !== undefined ? body.bandLow : existing.bandLow,
          bandHigh: body.bandHigh !== undefined ? body.bandHigh : existing.bandHigh,
          milestones: body.milestones ?? existing.milestones,
          unit: body.unit ?? existing.unit,
          weight: body.weight ?? existing.weight,
          owner:
            body.owner !== undefined
              ? body.owner
              : existing.ownerKind && existing.ownerId
                ? ({ kind: existing.ownerKind, id: existing.ownerId } as OwnerValue)
                : null,
          evidence: {
            kind: (body.evidence?.kind ?? existing.evidenceKind) as EvidenceKind,
            description: body.evidence?.description ?? existing.evidenceDescription,
          },
        };
        rejectUnmeasurable(toDefinition(merged));
        const {
          id: _id,
          tenantId: _t,
          objectiveId: _o,
          cycleId: _c,
          ...fields
        } = keyResultRow(merged, objective);
        const updated = await tx.keyResult.update({
          where: { id: existing.id },
          data: { ...fields, version: { increment: 1 } },
        });
        await publishKeyResult(tx, tenantId, updated);
        await recordAudit(
          tx,
          request.principal,
          "key-result.updated",
          { type: "key-result", id: existing.id },
          body,
        );
        return presentKeyResult(updated, objective);
      });
    },
  );

  app.delete(
    "/key-results/:id",
    {
      schema: {
        summary: "Remove a key result nobody contributes to (its check-ins go with it)",
        params: IdParams,
        response: noContent(403, 404, 409),
      },
    },
    async (request, reply) => {
      const { tenantId } = request.principal;
      await transaction(runtime.db, async (tx) => {
        const { existing } = await keyResultForChange(tx, request.principal, request.params.id);
        if (await tx.objective.count({ where: { tenantId, contributesToKeyResultId: existing.id } }))
          throw conflict(
            "key-result-has-contributors",
            "objectives of the layer below contribute to this key result; re-align them first",
          );
        await tx.keyResult.delete({ where: { id: existing.id } });
        await publishKeyResult(tx, tenantId, existing, true);
        await recordAudit(
          tx,
          request.principal,
          "key-result.deleted",
          { type: "key-result", id: existing.id },
          {},
        );
      });
      return reply.status(204).send(null);
    },
  );
});
