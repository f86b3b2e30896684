import { uuidv7 } from "@okr/events";
import {
  canWorkOn,
  checkEditable,
  checkKeyResultCountOnAdd,
  checkObjectiveCountOnCreate,
  merge,
  type ObjectiveAction,
  type Owner as OwnerValue,
  type ObjectiveState as State,
} from "@okr/goals-domain";
import {
  conflict,
  forbidden,
  IdParams,
  noContent,
  notFound,
  PageQuery,
  type Principal,
  page,
  problems,
  resource,
  Uuid,
} from "@okr/service-kit";
import { Type } from "typebox";
import { transaction } from "../database.ts";
import { loadAccess } from "../repositories/access.ts";
import { recordAudit } from "../repositories/audit.ts";
import { findUnlockedCycle } from "../repositories/cycles.ts";
import { publishCarriedForward, publishObjective } from "../repositories/events.ts";
import { changedLink, checkLink, publishAlignmentChange } from "../repositories/objective-alignment.ts";
import { type TransitionBody, transitionObjective } from "../repositories/objective-transitions.ts";
import {
  keyResultsInOrder,
  type ObjectiveView,
  viewObjective,
  viewObjectives,
} from "../repositories/objective-view.ts";
import { assertOwnerExists, countForOwner, ownerOf } from "../repositories/owners.ts";
import { loadPolicy } from "../repositories/policy.ts";
import { applyVerdict, conflictOn } from "../rules.ts";
import type { GoalsRuntime } from "../service.ts";
import {
  assertCarriedFrom,
  KeyResultBody,
  keyResultRow,
  rejectUnmeasurable,
  toDefinition,
} from "./key-results.ts";
import { NullableUuid, ObjectiveKind, ObjectiveState, Owner, Warnings } from "./schemas.ts";
import { ObjectiveSchema } from "./views.ts";

const ObjectiveBody = Type.Object(
  {
    cycleId: Uuid(),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    kind: ObjectiveKind(),
    owner: Owner(),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    alignedToObjectiveId: Type.Optional(NullableUuid("an objective of the layer above this one serves")),
    contributesToKeyResultId: Type.Optional(
      NullableUuid("a key result of the layer above whose ownership this objective takes (cascade)"),
    ),
    keyResults: Type.Optional(Type.Array(KeyResultBody, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const ObjectivePatch = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    kind: Type.Optional(ObjectiveKind()),
    owner: Type.Optional(Owner()),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    alignedToObjectiveId: Type.Optional(NullableUuid()),
    contributesToKeyResultId: Type.Optional(NullableUuid()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ObjectiveWithWarnings = Type.Object({
  ...ObjectiveSchema.properties,
  warnings: Type.Optional(Warnings),
});

/** Objectives of a cycle: create, read, change, delete drafts, and move them through their states. */
export const objectiveRoutes = resource<GoalsRuntime>("objectives", (app, runtime) => {
  const requireOwnerSide = async (principal: Principal, owners: OwnerValue[]) => {
    const access = await loadAccess(runtime.pool, principal, owners);
    if (!owners.every((owner) => canWorkOn(access.actor, owner, access.context)))
      throw forbidden(
        "only the owner (the person, or the owning team's people), their leaders and admins may do this",
      );
  };

  app.post(
    "/objectives",
    {
      config: { creates: "/objectives/:id", bodyIdsFrom: { cycleId: "POST /cycles" } },
      schema: {
        summary:
          "Draft an objective (optionally with its key results) for a team or person, aligned to an objective or contributing to a key result above",
        body: ObjectiveBody,
        response: { 201: ObjectiveWithWarnings, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.principal;
      const body = request.body;
      const keyResults = body.keyResults ?? [];
      keyResults.forEach((kr, index) => {
        rejectUnmeasurable(toDefinition(kr), `/keyResults/${index}`);
      });
      const result = await transaction(runtime.db, async (tx) => {
        const cycle = await findUnlockedCycle(tx, tenantId, body.cycleId);
        await assertOwnerExists(tx, tenantId, body.owner);
        for (const kr of keyResults) if (kr.owner) await assertOwnerExists(tx, tenantId, kr.owner);
        const carriedFrom = await assertCarriedFrom(tx, tenantId, cycle.id, keyResults, "/keyResults");
        await requireOwnerSide(request.principal, [body.owner]);
        const id = uuidv7();
        const link = {
          alignedToObjectiveId: body.alignedToObjectiveId ?? null,
          contributesToKeyResultId: body.contributesToKeyResultId ?? null,
        };
        await checkLink(tx, tenantId, { id, cycleId: cycle.id }, link);
        const policy = await loadPolicy(tx, tenantId);
        const existing = await countForOwner(tx, tenantId, cycle.id, body.owner);
        const krVerdicts = keyResults.map((_, index) => checkKeyResultCountOnAdd(policy, index));
        const warnings = applyVerdict(merge(checkObjectiveCountOnCreate(policy, existing), ...krVerdicts));
        const created = await tx.objective.create({
          data: {
            id,
            tenantId,
            cycleId: cycle.id,
            title: body.title,
            description: body.description ?? "",
            kind: body.kind,
            state: "draft",
            ownerKind: body.owner.kind,
            ownerId: body.owner.id,
            weight: body.weight ?? 1,
            ...link,
          },
        });
        const rows = keyResults.map((kr) => keyResultRow(kr, created));
        if (rows.length) await tx.keyResult.createMany({ data: rows });
        const krs = await tx.keyResult.findMany({ where: { objectiveId: id }, orderBy: { id: "asc" } });
        await publishObjective(tx, tenantId, created, krs);
        await publishCarriedForward(tx, tenantId, krs, carriedFrom);
        await publishAlignmentChange(tx, request.principal, null, created);
        await recordAudit(tx, request.principal, "objective.created", { type: "objective", id }, body);
        const view = (await viewObjective(tx, tenantId, id)) as ObjectiveView;
        return { ...view, ...(warnings.length ? { warnings } : {}) };
      });
      return reply.status(201).send(result);
    },
  );

  app.get(
    "/objectives",
    {
      schema: {
        summary: "List objectives with their key results and latest scores (paginated, filterable)",
        querystring: Type.Object(
          {
            ...PageQuery,
            cycleId: Type.Optional(Uuid()),
            teamId: Type.Optional(Uuid("objectives owned by this team")),
            ownerId: Type.Optional(Uuid("objectives owned by this team or person")),
            state: Type.Optional(ObjectiveState()),
            kind: Type.Optional(ObjectiveKind()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ObjectiveSchema), nextCursor: NullableUuid() }) },
      },
    },
    async (request) => {
      const { limit, cursor, cycleId, teamId, ownerId, state, kind } = request.query;
      const { tenantId } = request.principal;
      const rows = await runtime.db.objective.findMany({
        where: {
          tenantId,
          ...(cursor ? { id: { gt: cursor } } : {}),
          ...(cycleId ? { cycleId } : {}),
          ...(teamId ? { ownerKind: "team", ownerId: teamId } : {}),
          ...(ownerId ? { ownerId } : {}),
          ...(state ? { state } : {}),
          ...(kind ? { kind } : {}),
        },
        include: keyResultsInOrder,
        orderBy: { id: "asc" },
        take: limit + 1,
      });
      const result = page(rows, limit);
      return {
        items: await viewObjectives(runtime.db, tenantId, result.items),
        nextCursor: result.nextCursor,
      };
    },
  );

  app.get(
    "/objectives/:id",
    {
      schema: {
        summary: "One objective with its key results and latest scores",
        params: IdParams,
        response: { 200: ObjectiveSchema, ...problems(404) },
      },
    },
    async (request) => {
      const view = await viewObjective(runtime.db, request.principal.tenantId, request.params.id);
      if (!view) throw notFound(`objective ${request.params.id}`);
      return view;
    },
  );

  app.patch(
    "/objectives/:id",
    {
      schema: {
        summary:
          "Change an objective: its definition while draft/submitted/returned, its alignment until the cycle locks",
        params: IdParams,
        body: ObjectivePatch,
        response: { 200: ObjectiveWithWarnings, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { tenantId } = request.principal;
      const body = request.body;
      return transaction(runtime.db, async (tx) => {
        const before = await tx.objective.findFirst({ where: { id: request.params.id, tenantId } });
        if (!before) throw notFound(`objective ${request.params.id}`);
        await findUnlockedCycle(tx, tenantId, before.cycleId);
        if (before.state === "closed") throw conflict("objective-closed", "the objective is closed");
        const changesDefinition = ["title", "description", "kind", "owner", "weight"].some((f) => f in body);
        if (changesDefinition) {
          const notEditable = checkEditable(before.state as State);
          if (notEditable) throw conflictOn(notEditable);
        }
        const owners = [ownerOf(before)];
        if (body.owner) {
          await assertOwnerExists(tx, tenantId, body.owner);
          owners.push(body.owner);
        }
        await requireOwnerSide(request.principal, owners);
        let warnings: ReturnType<typeof applyVerdict> = [];
        if (body.owner && (body.owner.id !== before.ownerId || body.owner.kind !== before.ownerKind)) {
          const policy = await loadPolicy(tx, tenantId);
          warnings = applyVerdict(
            checkObjectiveCountOnCreate(
              policy,
              await countForOwner(tx, tenantId, before.cycleId, body.owner, before.id),
            ),
          );
        }
        const link = changedLink(before, body);
        await checkLink(tx, tenantId, before, link);
        const after = await tx.objective.update({
          where: { id: before.id },
          data: {
            ...(body.title !== undefined ? { title: body.title } : {}),
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.kind !== undefined ? { kind: body.kind } : {}),
            ...(body.weight !== undefined ? { weight: body.weight } : {}),
            ...(body.owner ? { ownerKind: body.owner.kind, ownerId: body.owner.id } : {}),
            ...link,
            version: { increment: 1 },
          },
        });
        await publishObjective(tx, tenantId, after);
        await publishAlignmentChange(tx, request.principal, before, after);
        await recordAudit(
          tx,
          request.principal,
          "objective.updated",
          { type: "objective", id: before.id },
          body,
        );
        const view = (await viewObjective(tx, tenantId, before.id)) as ObjectiveView;
        return { ...view, ...(warnings.length ? { warnings } : {}) };
      });
    },
  );

  app.delete(
    "/objectives/:id",
    {
      schema: {
        summary: "Delete a draft or returned objective that nothing aligns to (its key results go with it)",
        params: IdParams,
        response: noContent(403, 404, 409),
      },
    },
    async (request, reply) => {
      const { tenantId } = request.principal;
      await transaction(runtime.db, async (tx) => {
        const existing = await tx.objective.findFirst({
          where: { id: request.params.id, tenantId },
          include: keyResultsInOrder,
        });
        if (!existing) throw notFound(`objective ${request.params.id}`);
        await findUnlockedCycle(tx, tenantId, existing.cycleId);
        if (existing.state !== "draft" && existing.state !== "returned")
          throw conflict(
            "objective-not-deletable",
            `the objective is ${existing.state}; close it instead of deleting it`,
          );
        await requireOwnerSide(request.principal, [ownerOf(existing)]);
        const dependants = await tx.objective.count({
          where: {
            tenantId,
            OR: [
              { alignedToObjectiveId: existing.id },
              { contributesToKeyResultId: { in: existing.keyResults.map((kr) => kr.id) } },
            ],
          },
        });
        if (dependants)
          throw conflict(
            "objective-has-dependants",
            `${dependants} objectives align to this one; re-align them first`,
          );
        await tx.objective.delete({ where: { id: existing.id } });
        await publishObjective(tx, tenantId, existing, existing.keyResults, true);
        await recordAudit(
          tx,
          request.principal,
          "objective.deleted",
          { type: "objective", id: existing.id },
          {},
        );
      });
      return reply.status(204).send(null);
    },
  );

  const transitionRoute = (
    action: ObjectiveAction,
    summary: string,
    bodySchema: ReturnType<typeof Type.Object>,
  ) =>
    app.post(
      `/objectives/:id/${action}`,
      {
        // Workflows and scripts call transitions without a body; treat that as an empty one.
        config: { optionalBody: true },
        schema: {
          summary,
          params: IdParams,
          body: bodySchema,
          response: { 200: ObjectiveWithWarnings, ...problems(400, 403, 404, 409, 422) },
        },
      },
      async (request) => {
        const body = (request.body ?? {}) as TransitionBody;
        return transaction(runtime.db, (tx) =>
          transitionObjective(
            runtime,
            tx,
            request.principal,
            (request.params as { id: string }).id,
            action,
            body,
          ),
        );
      },
    );

  const NoBody = Type.Object({}, { additionalProperties: false });
  const OnBehalfBody = Type.Object(
    {
      actorId: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 200,
          description: "on whose behalf (admins and service callers only)",
        }),
      ),
    },
    { additionalProperties: false },
  );
  transitionRoute(
    "submit",
    "Submit a draft or returned objective for approval (the owner); checks the objective and KR count limits",
    NoBody,
  );
  transitionRoute(
    "approve",
    "Approve a submitted objective (a leader of the owning team or above, an admin, the cycle worker)",
    OnBehalfBody,
  );
  transitionRoute(
    "return",
    "Return a submitted or approved objective to its owner with a reason (leaders, admins)",
    Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
  );
  transitionRoute(
    "close",
    "Close an objective (its owners, their leaders, admins, the cycle worker)",
    OnBehalfBody,
  );
});
