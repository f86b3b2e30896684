import { PersonAvailabilityChanged } from "@okr/events";
import { formatClock } from "@okr/goals-domain";
import { pgTransaction, publishEvent } from "@okr/messaging";
import { IdParams, problems, requireRole, resource, unprocessable } from "@okr/service-kit";
import {
  loadPreferences,
  loadTenantSettings,
  releaseWaiting,
  type StoredPreferences,
  savePersonSettings,
  saveTenantSettings,
} from "../repositories/preferences.ts";
import { effectivePreferences, settingsProblem } from "../rules/preferences.ts";
import type { NotifierRuntime } from "../service.ts";
import { requireSelfOrAdmin } from "./inbox.ts";
import { PersonPreferences, PersonSettings, TenantSettings } from "./preference-schemas.ts";

/** The stored choices beside what applies, as the API answers them. */
function view(stored: StoredPreferences) {
  const effective = effectivePreferences(stored.own, stored.tenant, stored.replicaZone);
  const quiet = effective.quietHours;
  return {
    settings: stored.own,
    effective: {
      email: effective.email,
      timeZone: effective.timeZone,
      quietHours: quiet
        ? { start: formatClock(quiet.start), end: formatClock(quiet.end), weekends: quiet.weekends }
        : null,
      outOfOffice: stored.own.outOfOffice ?? null,
      digest: effective.digest,
      digestTime: formatClock(effective.digestTime.at),
      digestWeekday: effective.digestTime.weekday,
    },
  };
}

const requireValid = (settings: Parameters<typeof settingsProblem>[0]) => {
  const problem = settingsProblem(settings);
  if (problem) throw unprocessable("invalid-preferences", problem);
};

type Absence = { from: string; until: string } | null | undefined;
/** The same period, however its timestamps were written (stored settings come back with jsonb's key order). */
const sameAbsence = (a: Absence, b: Absence) =>
  (!a && !b) ||
  (!!a && !!b && Date.parse(a.from) === Date.parse(b.from) && Date.parse(a.until) === Date.parse(b.until));

/** Each person's notification preferences (theirs or an admin's to change) and the organization's defaults. */
export const preferenceRoutes = resource<NotifierRuntime>("preferences", (app, { pool }) => {
  app.get(
    "/people/:id/preferences",
    {
      schema: {
        summary: "A person's notification preferences and what applies to them",
        params: IdParams,
        response: { 200: PersonPreferences, ...problems(400, 403) },
      },
    },
    async (request) => {
      requireSelfOrAdmin(request, request.params.id);
      return view(await loadPreferences(pool, request.principal.tenantId, request.params.id));
    },
  );

  app.put(
    "/people/:id/preferences",
    {
      schema: {
        summary: "Set a person's notification preferences (the person or an admin)",
        description:
          "Replaces the person's choices whole; a field left out follows the organization's defaults. " +
          "Emails waiting on the old preferences are decided again under the new ones. A changed " +
          "out-of-office period is announced as okr.person.availability-changed.v1.",
        params: IdParams,
        body: PersonSettings,
        response: { 200: PersonPreferences, ...problems(400, 403, 422) },
      },
    },
    async (request) => {
      requireSelfOrAdmin(request, request.params.id);
      requireValid(request.body);
      const tenant = request.principal.tenantId;
      const personId = request.params.id;
      return pgTransaction(pool, async (tx) => {
        const previous = await savePersonSettings(tx, tenant, personId, request.body);
        if (!sameAbsence(previous.outOfOffice, request.body.outOfOffice)) {
          await publishEvent(
            tx,
            PersonAvailabilityChanged,
            {
              personId,
              outOfOffice: request.body.outOfOffice ?? null,
              changedAt: new Date().toISOString(),
            },
            { tenant },
          );
        }
        await releaseWaiting(tx, tenant, personId);
        return view(await loadPreferences(tx, tenant, personId));
      });
    },
  );

  app.get(
    "/preferences/defaults",
    {
      schema: {
        summary: "The organization's default notification preferences (admins)",
        response: { 200: TenantSettings, ...problems(403) },
      },
    },
    async (request) => {
      requireRole(request, "admin", "service");
      return loadTenantSettings(pool, request.principal.tenantId);
    },
  );

  app.put(
    "/preferences/defaults",
    {
      schema: {
        summary: "Set the organization's default notification preferences (admins)",
        description:
          "Replaces the defaults whole. They apply to every field a person left out; emails waiting on " +
          "the old defaults are decided again.",
        body: TenantSettings,
        response: { 200: TenantSettings, ...problems(400, 403, 422) },
      },
    },
    async (request) => {
      requireRole(request, "admin");
      requireValid(request.body);
      const tenant = request.principal.tenantId;
      await pgTransaction(pool, async (tx) => {
        await saveTenantSettings(tx, tenant, request.body);
        await releaseWaiting(tx, tenant, null);
      });
      return request.body;
    },
  );
});
