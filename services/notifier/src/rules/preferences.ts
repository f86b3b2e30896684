import { isKnownTimeZone, parseClock } from "@okr/goals-domain";
import type { EffectivePreferences } from "./gate.ts";
import type { DigestMode, DigestTime } from "./schedule.ts";

/** Quiet hours as people write them: local `HH:MM` to `HH:MM`, optionally all weekend. */
export interface QuietHoursSetting {
  start: string;
  end: string;
  weekends: boolean;
}

/**
 * What a person chose; a field left out follows the tenant's defaults. `timeZone` null: the zone goals
 * announces for them; `quietHours` null: none; `outOfOffice` null: not away.
 */
export interface PersonSettings {
  email?: boolean;
  timeZone?: string | null;
  quietHours?: QuietHoursSetting | null;
  outOfOffice?: { from: string; until: string } | null;
  digest?: DigestMode;
}

/** A tenant's defaults (admins), and when its digests are built (local time, weekday for weekly ones). */
export interface TenantSettings {
  email?: boolean;
  timeZone?: string;
  quietHours?: QuietHoursSetting | null;
  digest?: DigestMode;
  digestTime?: string;
  digestWeekday?: number;
}

/** Why a settings document cannot be stored (the API answers 422 with it), or undefined. */
export function settingsProblem(settings: PersonSettings | TenantSettings): string | undefined {
  if (settings.timeZone && !isKnownTimeZone(settings.timeZone))
    return `timeZone ${settings.timeZone} is not an IANA time zone (e.g. Europe/Berlin)`;
  const quiet = settings.quietHours;
  if (quiet && parseClock(quiet.start) === parseClock(quiet.end))
    return "quietHours must end at another time than they start";
  const away = "outOfOffice" in settings ? settings.outOfOffice : null;
  if (away && Date.parse(away.until) <= Date.parse(away.from)) return "outOfOffice must end after it starts";
  return undefined;
}

const quietHoursOf = (setting: QuietHoursSetting | null | undefined) =>
  setting
    ? {
        start: parseClock(setting.start) ?? 0,
        end: parseClock(setting.end) ?? 0,
        weekends: setting.weekends,
      }
    : null;

/**
 * The preferences that apply to a person: their own choice, else the tenant's default, else the
 * platform's (email on, no quiet hours, immediate). The time zone is theirs, else the one goals
 * announces for them, else the tenant's, else UTC; a zone the runtime does not know is passed over.
 */
export function effectivePreferences(
  own: PersonSettings,
  tenant: TenantSettings,
  replicaZone: string | null,
): EffectivePreferences & { digestTime: DigestTime } {
  const zone = [own.timeZone, replicaZone, tenant.timeZone].find(
    (z): z is string => !!z && isKnownTimeZone(z),
  );
  const away = own.outOfOffice;
  return {
    email: own.email ?? tenant.email ?? true,
    timeZone: zone ?? "UTC",
    quietHours: quietHoursOf(own.quietHours === undefined ? tenant.quietHours : own.quietHours),
    outOfOffice: away ? { from: new Date(away.from), until: new Date(away.until) } : null,
    digest: own.digest ?? tenant.digest ?? "immediate",
    digestTime: { at: parseClock(tenant.digestTime ?? "") ?? 8 * 60, weekday: tenant.digestWeekday ?? 1 },
  };
}
