import { prismaRunner } from "@okr/database";
import { KaizenChanged, uuidv7 } from "@okr/events";
import { publishEvent } from "@okr/messaging";
import {
  conflict,
  IdParams,
  notFound,
  problems,
  requireRole,
  resource,
  Uuid,
  unprocessable,
} from "@okr/service-kit";
import { type Static, Type } from "typebox";
import type { ValueStreamTx } from "../database.ts";
import type { Kaizen, Prisma } from "../generated/prisma/client.ts";
import { computeStreamMetrics, headlineValues } from "../metrics.ts";
import { requireKnownKeyResult } from "../repositories/key-results.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { findStream } from "../store.ts";
import { Criterion, KaizenView } from "../views.ts";
import { streamListSchema, streamPage } from "./stream-lists.ts";

type CriterionValue = Static<typeof Criterion>;
const KaizenFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  hypothesis: Type.String({
    minLength: 1,
    maxLength: 4000,
    description: "if we change X, metric Y will move because Z",
  }),
  targetCondition: Type.String({ minLength: 1, maxLength: 4000 }),
  successCriteria: Type.Array(Criterion, {
    minItems: 1,
    maxItems: 20,
    description: "measurable, fixed before the experiment starts",
  }),
  linkedStepIds: Type.Optional(Type.Array(Uuid(), { maxItems: 100, uniqueItems: true })),
  keyResultId: Type.Optional(
    Type.Union([Uuid(), Type.Null()], {
      description:
        "a key result of the organization known to value-stream (not deleted); otherwise 422 `unknown-key-result` (one created in goals a moment ago arrives within moments: retry shortly)",
    }),
  ),
};
const present = (row: Kaizen) => ({
  id: row.id,
  streamId: row.streamId,
  title: row.title,
  hypothesis: row.hypothesis,
  targetCondition: row.targetCondition,
  successCriteria: row.successCriteria as CriterionValue[],
  linkedStepIds: row.linkedStepIds,
  keyResultId: row.keyResultId,
  status: row.status,
  baseline: row.baseline,
  result: row.result,
  resultNote: row.resultNote,
  succeeded: row.succeeded,
  startedAt: row.startedAt?.toISOString() ?? null,
  completedAt: row.completedAt?.toISOString() ?? null,
});

const publishKaizen = (tx: ValueStreamTx, row: Kaizen) =>
  publishEvent(
    prismaRunner(tx),
    KaizenChanged,
    {
      kaizenId: row.id,
      streamId: row.streamId,
      title: row.title,
      status: row.status as "planned",
      linkedStepIds: row.linkedStepIds,
      keyResultId: row.keyResultId,
      succeeded: row.succeeded,
    },
    { tenant: row.tenantId },
  );

/** Improvement experiments (kaizen / PDCA): plan with fixed success criteria, run, measure the result. */
export const kaizenRoutes = resource<ValueStreamRuntime>("kaizen", (app, runtime) => {
  const { db, pool } = runtime;

  async function findKaizen(tenantId: string, id: string) {
    const row = await db.kaizen.findFirst({ where: { id, tenantId } });
    if (!row) throw notFound(`kaizen ${id}`);
    return row;
  }

  app.post(
    "/streams/:id/kaizens",
    {
      config: { creates: "/kaizens/:id" },
      schema: {
        summary:
          "Plan an improvement experiment: hypothesis, target condition, success criteria, linked steps and KR",
        params: IdParams,
        body: Type.Object(KaizenFields, { additionalProperties: false }),
        response: { 201: KaizenView, ...problems(400, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader", "member");
      const tenant = request.principal.tenantId;
      const { linkedStepIds = [], keyResultId = null, ...fields } = request.body;
      const row = await db.$transaction(async (tx) => {
        const stream = await findStream(tx, tenant, request.params.id);
        const known = await tx.step.count({
          where: { id: { in: linkedStepIds }, map: { streamId: stream.id } },
        });
        if (known !== linkedStepIds.length)
          throw unprocessable(
            "unknown-step",
            "every linked step must be a step of one of this stream's maps",
          );
        if (keyResultId !== null) await requireKnownKeyResult(prismaRunner(tx), tenant, keyResultId);
        const saved = await tx.kaizen.create({
          data: {
            id: uuidv7(),
            tenantId: tenant,
            streamId: stream.id,
            ...fields,
            successCriteria: fields.successCriteria as unknown as Prisma.InputJsonValue,
            linkedStepIds,
            keyResultId,
            status: "planned",
          },
        });
        await publishKaizen(tx, saved);
        return saved;
      });
      return reply.status(201).send(present(row));
    },
  );

  app.get(
    "/streams/:id/kaizens",
    { schema: streamListSchema("kaizen", "The stream's kaizens (paginated)", KaizenView) },
    (request) => streamPage(db, request, (window) => db.kaizen.findMany(window), present),
  );

  app.get(
    "/kaizens/:id",
    { schema: { tags: ["kaizen"], params: IdParams, response: { 200: KaizenView, ...problems(404) } } },
    async (request) => present(await findKaizen(request.principal.tenantId, request.params.id)),
  );

  app.patch(
    "/kaizens/:id",
    {
      schema: {
        summary: "Revise a planned experiment; once started its plan and success criteria are fixed",
        params: IdParams,
        body: Type.Partial(Type.Object(KaizenFields, { additionalProperties: false }), {
          additionalProperties: false,
          minProperties: 1,
        }),
        response: { 200: KaizenView, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "leader", "member");
      const tenant = request.principal.tenantId;
      const existing = await findKaizen(tenant, request.params.id);
      if (existing.status !== "planned")
        throw conflict(
          "kaizen-started",
          "success criteria are set before the start; a running or completed experiment cannot be revised",
        );
      const { successCriteria, ...fields } = request.body;
      const row = await db.$transaction(async (tx) => {
        // A newly named key result must be known; the one it already names stays acceptable.
        const { keyResultId } = fields;
        if (keyResultId && keyResultId !== existing.keyResultId)
          await requireKnownKeyResult(prismaRunner(tx), tenant, keyResultId);
        const saved = await tx.kaizen.update({
          where: { id: existing.id },
          data: {
            ...fields,
            ...(successCriteria
              ? { successCriteria: successCriteria as unknown as Prisma.InputJsonValue }
              : {}),
          },
        });
        await publishKaizen(tx, saved);
        return saved;
      });
      return present(row);
    },
  );

  for (const [action, from, to] of [
    ["start", "planned", "running"],
    ["complete", "running", "completed"],
  ] as const) {
    app.post(
      `/kaizens/:id/${action}`,
      {
        schema: {
          summary:
            action === "start"
              ? "Start the experiment: the stream's metrics now are its baseline"
              : "Complete the experiment: measure the metrics now against the success criteria",
          params: IdParams,
          body: Type.Optional(
            Type.Object(
              { note: Type.Optional(Type.String({ maxLength: 4000 })) },
              { additionalProperties: false },
            ),
          ),
          response: { 200: KaizenView, ...problems(400, 403, 404, 409) },
        },
      },
      async (request) => {
        requireRole(request, "admin", "leader", "member");
        const existing = await findKaizen(request.principal.tenantId, request.params.id);
        if (existing.status !== from)
          throw conflict(
            "kaizen-state",
            `only a ${from} experiment can ${action}; this one is ${existing.status}`,
          );
        const values = headlineValues(await computeStreamMetrics(db, pool, existing.streamId));
        const criteria = existing.successCriteria as CriterionValue[];
        const verdicts = criteria.map((criterion) => {
          const measured = values[criterion.metric] ?? null;
          const met =
            measured !== null &&
            (criterion.comparator === "at-most"
              ? measured <= criterion.target
              : measured >= criterion.target);
          return { ...criterion, measured, met };
        });
        const row = await db.$transaction(async (tx) => {
          const saved = await tx.kaizen.update({
            where: { id: existing.id, status: from },
            data:
              to === "running"
                ? { status: to, startedAt: new Date(), baseline: values }
                : {
                    status: to,
                    completedAt: new Date(),
                    result: { values, criteria: verdicts } as unknown as Prisma.InputJsonValue,
                    resultNote: request.body?.note ?? null,
                    succeeded: verdicts.every((v) => v.met),
                  },
          });
          await publishKaizen(tx, saved);
          return saved;
        });
        return present(row);
      },
    );
  }
});
