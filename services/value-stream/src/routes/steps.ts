import { prismaRunner } from "@okr/database";
import { stepProblems } from "@okr/flow-metrics";
import {
  conflict,
  IdParams,
  noContent,
  problems,
  requireRole,
  resource,
  unprocessable,
} from "@okr/service-kit";
import type { Static } from "typebox";
import type { Step } from "../generated/prisma/client.ts";
import {
  clocksOf,
  NewStepBody,
  presentStep,
  reworkLinksOf,
  type StepInput,
  StepPatch,
  StepView,
} from "../model.ts";
import { publishStep } from "../repositories/events.ts";
import { lockMap, setReworkLinks } from "../repositories/maps.ts";
import {
  deleteStep,
  findStep,
  insertStepAt,
  type StepFields,
  updateStep,
  workItemsAt,
} from "../repositories/steps.ts";
import type { ValueStreamRuntime } from "../service.ts";
import { findMap, markMetricsStale } from "../store.ts";

/** Turns a step body into row fields, refusing what the schema cannot express. */
export function stepFields(input: Partial<Static<typeof StepInput>>, existing?: Step): StepFields {
  if (input.waitMinutes !== undefined && input.waitInventoryUnits !== undefined)
    throw unprocessable(
      "invalid-step",
      "give the wait either as waitMinutes or as waitInventoryUnits, not both",
    );
  const waitMinutes =
    input.waitInventoryUnits !== undefined ? null : (input.waitMinutes ?? existing?.waitMinutes ?? 0);
  const waitInventoryUnits =
    input.waitMinutes !== undefined
      ? null
      : (input.waitInventoryUnits ?? existing?.waitInventoryUnits ?? null);
  const fields = {
    name: input.name ?? existing?.name ?? "",
    classification: input.classification ?? existing?.classification ?? "value-adding",
    processMinutes: input.processMinutes ?? existing?.processMinutes ?? 0,
    waitMinutes,
    waitInventoryUnits,
    percentCompleteAccurate: input.percentCompleteAccurate ?? existing?.percentCompleteAccurate ?? 1,
    wipLimit: input.wipLimit !== undefined ? input.wipLimit : (existing?.wipLimit ?? null),
    wasteTags: input.wasteTags ?? existing?.wasteTags ?? [],
    // Absent keeps what the step had; null clears it.
    changeoverMinutes:
      input.changeoverMinutes !== undefined ? input.changeoverMinutes : (existing?.changeoverMinutes ?? null),
    uptimePercent:
      input.uptimePercent !== undefined ? input.uptimePercent : (existing?.uptimePercent ?? null),
  };
  const found = stepProblems({
    processMinutes: fields.processMinutes,
    wait:
      waitInventoryUnits !== null ? { inventoryUnits: waitInventoryUnits } : { minutes: waitMinutes ?? 0 },
    percentCompleteAccurate: fields.percentCompleteAccurate,
    wipLimit: fields.wipLimit,
    changeoverMinutes: fields.changeoverMinutes,
    uptimePercent: fields.uptimePercent,
  });
  if (found.length > 0)
    throw unprocessable("invalid-step", found.join("; "), { errors: found.map((message) => ({ message })) });
  return fields;
}

/** The steps of a map: add one, change one, remove one. */
export const stepRoutes = resource<ValueStreamRuntime>("maps", (app, { db }) => {
  app.post(
    "/maps/:id/steps",
    {
      config: { creates: "/steps/:id" },
      schema: {
        summary: "Add a step to a map (appended, or inserted at `position`)",
        params: IdParams,
        body: NewStepBody,
        response: { 201: StepView, ...problems(400, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const { position, ...input } = request.body;
      const fields = stepFields(input);
      const { step, demand } = await db.$transaction(async (tx) => {
        const map = await findMap(tx, tenant, request.params.id);
        await lockMap(tx, map.id);
        const created = await insertStepAt(tx, tenant, map.id, position, fields);
        await publishStep(tx, created, map.stream, map.streamId, tenant);
        if (map.state === "current") await markMetricsStale(prismaRunner(tx), map.streamId, tenant);
        return { step: created, demand: map.stream };
      });
      return reply.status(201).send(presentStep(step, demand));
    },
  );

  app.patch(
    "/steps/:id",
    {
      schema: {
        summary: "Change a step: classification, times, %C&A, WIP limit, waste tags, changeover, uptime",
        params: IdParams,
        body: StepPatch,
        response: { 200: StepView, ...problems(400, 403, 404, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      const { step, demand } = await db.$transaction(async (tx) => {
        const existing = await findStep(tx, tenant, request.params.id);
        const saved = await updateStep(tx, existing.id, stepFields(request.body, existing));
        await publishStep(tx, saved, existing.map.stream, existing.map.streamId, tenant);
        if (existing.map.state === "current")
          await markMetricsStale(prismaRunner(tx), existing.map.streamId, tenant);
        return { step: saved, demand: existing.map.stream };
      });
      return presentStep(step, demand);
    },
  );

  app.delete(
    "/steps/:id",
    {
      schema: {
        summary: "Remove a step (a waste removed from the stream); refused while work items are in it",
        params: IdParams,
        response: noContent(403, 404, 409),
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "leader");
      const tenant = request.principal.tenantId;
      await db.$transaction(async (tx) => {
        const step = await findStep(tx, tenant, request.params.id);
        await lockMap(tx, step.mapId);
        if (step.map.state === "current") {
          const occupied = await workItemsAt(tx, step.map.streamId, step.id);
          if (occupied > 0)
            throw conflict(
              "step-in-use",
              `${occupied} work item(s) are in or last completed this step; move them on first`,
            );
          const clocks = clocksOf(step.map.stream.clocks);
          if (Object.values(clocks).some((edge) => edge.stepId === step.id))
            throw conflict(
              "step-in-use",
              "the stream's lead or flow time clock names this step; change the clock first",
            );
        }
        await deleteStep(tx, step);
        const rework = reworkLinksOf(step.map.reworkLinks).filter(
          (l) => l.fromStepId !== step.id && l.toStepId !== step.id,
        );
        await setReworkLinks(tx, step.mapId, rework);
        await publishStep(tx, step, step.map.stream, step.map.streamId, tenant, true);
        if (step.map.state === "current") await markMetricsStale(prismaRunner(tx), step.map.streamId, tenant);
      });
      return reply.status(204).send(null);
    },
  );
});
