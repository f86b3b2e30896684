import { retryOnConflict, type SqlRunner } from "@okr/database";
import { CheckInRecorded, createEvent, type EventData, isUuid, uuidv7 } from "@okr/events";
import {
  type CheckInContext,
  type CheckInInput,
  type CyclePhase,
  type EvidenceKind,
  type KeyResultType,
  type ObjectiveState,
  type Owner,
  type RuleViolation,
  validateCheckIn,
} from "@okr/goals-domain";
import { OUTBOX_TABLE } from "@okr/messaging";
import { currentTraceparent } from "@okr/telemetry";

export interface CheckInRequest {
  keyResultId: string;
  value: number;
  confidence: number;
  note?: string;
  evidence: { url?: string; system?: string };
  milestonesDone?: number;
  recordedAt?: string;
}

/** What one key result brings to a check-in: its rules' inputs and who answers for it. */
export interface KeyResultTarget {
  id: string;
  objectiveId: string;
  cycleId: string;
  owner: Owner;
  latestConfidence: number | null;
  /** The teams the caller belongs to (when loadTargets was given the caller's person id). */
  actorTeams: string[];
  /** The caller is a person of the tenant whom the identity provider deactivated: they may not act. */
  actorDeactivated: boolean;
  /** Scoring froze the cycle's final grades (okr.cycle.graded.v1): it takes no more check-ins. */
  cycleGraded: boolean;
  context: Omit<CheckInContext, "now">;
}

interface TargetRow {
  id: string;
  objective_id: string;
  cycle_id: string;
  type: KeyResultType;
  milestone_count: number;
  evidence_kind: EvidenceKind;
  owner_kind: "team" | "person";
  owner_id: string;
  objective_state: ObjectiveState;
  phase: CyclePhase;
  locked: boolean;
  starts_at: Date;
  ends_at: Date;
  latest_confidence: number | null;
  cycle_graded: boolean;
  actor_teams: string[] | null;
  actor_deactivated: boolean | null;
}

const TARGET_COLUMNS = `k.id, k.objective_id, k.cycle_id, k.type, cardinality(k.milestones) as milestone_count,
  k.evidence_kind, coalesce(k.owner_kind, o.owner_kind) as owner_kind, coalesce(k.owner_id, o.owner_id) as owner_id,
  o.state as objective_state, c.phase, c.locked, c.starts_at, c.ends_at, k.latest_confidence,
  exists (select 1 from cycle_grades g where g.cycle_id = c.id and g.tenant_id = c.tenant_id) as cycle_graded`;

function toTarget(row: TargetRow): KeyResultTarget {
  return {
    id: row.id,
    objectiveId: row.objective_id,
    cycleId: row.cycle_id,
    owner: { kind: row.owner_kind, id: row.owner_id },
    latestConfidence: row.latest_confidence,
    actorTeams: row.actor_teams ?? [],
    actorDeactivated: row.actor_deactivated === true,
    cycleGraded: row.cycle_graded,
    context: {
      keyResult: {
        type: row.type,
        milestoneCount: row.milestone_count ?? 0,
        evidenceKind: row.evidence_kind,
      },
      objectiveState: row.objective_state,
      cycle: { phase: row.phase, locked: row.locked, startsAt: row.starts_at, endsAt: row.ends_at },
    },
  };
}

/**
 * The key results (of this tenant only) that check-ins point at, with their objective and cycle, and the
 * teams of the calling person, in one query: the common permission case needs nothing more.
 */
export async function loadTargets(
  sql: SqlRunner,
  tenantId: string,
  ids: string[],
  actorId: string | null = null,
): Promise<Map<string, KeyResultTarget>> {
  const { rows } = await sql.query<TargetRow>({
    name: "goals-load-check-in-targets",
    text: `with actor as (
       select coalesce(array_agg(team_id), '{}') as teams,
              (select not p.active from people p where p.tenant_id = $1 and p.id = $3::uuid) as deactivated
         from team_memberships where tenant_id = $1 and person_id = $3::uuid
     )
     select ${TARGET_COLUMNS}, actor.teams as actor_teams, actor.deactivated as actor_deactivated
       from key_results k
       join objectives o on o.id = k.objective_id
       join cycles c on c.id = k.cycle_id
       cross join actor
      where k.tenant_id = $1 and k.id = any($2::uuid[])`,
    values: [tenantId, ids, actorId && isUuid(actorId) ? actorId : null],
  });
  return new Map(rows.map((row) => [row.id, toTarget(row)]));
}

interface TargetRequest {
  tenantId: string;
  keyResultId: string;
  actorId: string | null;
  resolve: (target: KeyResultTarget | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches the single check-in's lookup: requests arriving in the same turn of the event loop (any
 * tenants, any callers) share one query. Each request still only sees its own tenant's key result.
 */
export class TargetLoader {
  readonly #sql: SqlRunner;
  #queue: TargetRequest[] = [];

  constructor(sql: SqlRunner) {
    this.#sql = sql;
  }

  load(tenantId: string, keyResultId: string, actorId: string | null): Promise<KeyResultTarget | undefined> {
    // Ids that are not UUIDs match no row; kept out of the batch, their uuid cast cannot fail the others.
    if (!isUuid(tenantId) || !isUuid(keyResultId)) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(() => this.#flush());
      this.#queue.push({
        tenantId,
        keyResultId,
        actorId: actorId && isUuid(actorId) ? actorId : null,
        resolve,
        reject,
      });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    try {
      await this.#lookUp(batch);
    } catch (error) {
      if (batch.length === 1) return (batch[0] as TargetRequest).reject(error);
      // One request's failure must not fail the others that happened to share its batch.
      await Promise.all(batch.map((request) => this.#lookUp([request]).catch(request.reject)));
    }
  }

  async #lookUp(batch: TargetRequest[]): Promise<void> {
    const { rows } = await this.#sql.query<TargetRow & { i: number }>({
      name: "goals-load-check-in-targets-batch",
      text: `with req as (
         select * from jsonb_to_recordset($1::jsonb) as r(i int, tenant_id uuid, key_result_id uuid, actor_id uuid)
       )
       select req.i, ${TARGET_COLUMNS},
              (select coalesce(array_agg(m.team_id), '{}') from team_memberships m
                where m.tenant_id = req.tenant_id and m.person_id = req.actor_id) as actor_teams,
              (select not p.active from people p
                where p.tenant_id = req.tenant_id and p.id = req.actor_id) as actor_deactivated
         from req
         join key_results k on k.id = req.key_result_id and k.tenant_id = req.tenant_id
         join objectives o on o.id = k.objective_id
         join cycles c on c.id = k.cycle_id`,
      values: [
        JSON.stringify(
          batch.map((r, i) => ({
            i,
            tenant_id: r.tenantId,
            key_result_id: r.keyResultId,
            actor_id: r.actorId,
          })),
        ),
      ],
    });
    const found = new Map(rows.map((row) => [row.i, toTarget(row)]));
    batch.forEach((request, i) => {
      request.resolve(found.get(i));
    });
  }
}

export interface PreparedCheckIn {
  tenantId: string;
  event: EventData<typeof CheckInRecorded>;
  /** The caller's subject as stored on the row; the event's authorId names people only (UUIDs), else null. */
  authorSubject: string | null;
}

/** Applies the domain's check-in rules; a valid request becomes the event it will publish. */
export function prepareCheckIn(
  tenantId: string,
  request: CheckInRequest,
  target: KeyResultTarget,
  author: { id: string | null; source: "person" | "system" },
  now: Date,
): { ok: true; checkIn: PreparedCheckIn } | { ok: false; errors: RuleViolation[] } {
  const input: CheckInInput = {
    value: request.value,
    confidence: request.confidence,
    note: request.note ?? "",
    evidence: request.evidence,
    milestonesDone: request.milestonesDone,
    recordedAt: request.recordedAt ? new Date(request.recordedAt) : now,
    source: author.source,
  };
  const errors = validateCheckIn(input, { ...target.context, now });
  if (errors.length) return { ok: false, errors };
  const evidence = {
    ...(input.evidence.url?.trim() ? { url: input.evidence.url.trim() } : {}),
    ...(input.evidence.system?.trim() ? { system: input.evidence.system.trim() } : {}),
  };
  return {
    ok: true,
    checkIn: {
      tenantId,
      event: {
        checkInId: uuidv7(now.getTime()),
        keyResultId: target.id,
        objectiveId: target.objectiveId,
        cycleId: target.cycleId,
        value: input.value,
        ...(input.milestonesDone !== undefined ? { milestonesDone: input.milestonesDone } : {}),
        confidence: input.confidence,
        note: input.note,
        evidence,
        authorId: author.id && isUuid(author.id) ? author.id : null,
        source: author.source,
        recordedAt: input.recordedAt.toISOString(),
      },
      authorSubject: author.id,
    },
  };
}

/**
 * Writes check-ins, moves each KR's latest value forward (only when the check-in is the newest by
 * recordedAt), and puts one okr.check-in.recorded.v1 per check-in into the outbox, all in ONE statement:
 * atomic without an explicit transaction, one round trip and one commit however many rows (and tenants).
 * A check-in whose cycle got locked meanwhile is dropped together with its event. Returns the ids written.
 *
 * The KR rows it moves are locked first, in id order (`newer`): left to the update, the lock order would
 * follow the plan (a hash join scans key_results in physical order, which differs between snapshots as
 * rows get new versions), and two writes sharing KRs could each hold one the other waits for (40P01).
 * Inside a transaction the caller's other writes must not lock key_results rows out of that order.
 */
export async function writeCheckIns(sql: SqlRunner, checkIns: PreparedCheckIn[]): Promise<Set<string>> {
  if (checkIns.length === 0) return new Set();
  const traceparent = currentTraceparent();
  const envelopes = checkIns.map((c) =>
    createEvent(CheckInRecorded, c.event, { tenant: c.tenantId, traceparent }),
  );
  // One JSON document carries every row (and its envelope): JSON.stringify is native and fast, while
  // pg's encoding of text arrays escapes element by element in JavaScript.
  const rowsJson = JSON.stringify(
    checkIns.map((c, i) => ({
      id: c.event.checkInId,
      tenant_id: c.tenantId,
      key_result_id: c.event.keyResultId,
      value: c.event.value,
      confidence: c.event.confidence,
      note: c.event.note,
      evidence_url: c.event.evidence.url ?? null,
      evidence_system: c.event.evidence.system ?? null,
      milestones_done: c.event.milestonesDone ?? null,
      author_id: c.authorSubject,
      source: c.event.source,
      recorded_at: c.event.recordedAt,
      event_id: envelopes[i]?.id,
      envelope: envelopes[i],
    })),
  );
  const { rows } = await sql.query<{ id: string }>({
    name: "goals-write-check-ins",
    text: `with input as (
       select * from jsonb_to_recordset($1::jsonb)
         as t(id uuid, tenant_id uuid, key_result_id uuid, value float8, confidence float8, note text, evidence_url text,
              evidence_system text, milestones_done int, author_id text, source text, recorded_at timestamptz,
              event_id uuid, envelope jsonb)
     ), open as (
       select i.* from input i
         join key_results k on k.id = i.key_result_id and k.tenant_id = i.tenant_id
         join cycles c on c.id = k.cycle_id
        where not c.locked
          and not exists (select 1 from cycle_grades g where g.cycle_id = c.id and g.tenant_id = c.tenant_id)
     ), inserted as (
       insert into check_ins (id, tenant_id, key_result_id, value, confidence, note, evidence_url, evidence_system,
                              milestones_done, author_id, source, recorded_at)
       select id, tenant_id, key_result_id, value, confidence, note, evidence_url, evidence_system, milestones_done,
              author_id, source, recorded_at from open
       returning id
     ), latest as (
       select distinct on (key_result_id) * from open order by key_result_id, recorded_at desc, id desc
     ), newer as (
       select l.* from latest l join key_results k on k.id = l.key_result_id
        where k.last_check_in_at is null or k.last_check_in_at <= l.recorded_at
        order by k.id
          for no key update of k
     ), moved as (
       update key_results k
          set latest_value = l.value, latest_confidence = l.confidence,
              milestones_done = coalesce(l.milestones_done, k.milestones_done),
              last_check_in_at = l.recorded_at, updated_at = now()
         from newer l
        where k.id = l.key_result_id and (k.last_check_in_at is null or k.last_check_in_at <= l.recorded_at)
     ), published as (
       insert into ${OUTBOX_TABLE} (id, topic, partition_key, event_type, tenant, envelope)
       select event_id, $2, key_result_id::text, $3, tenant_id::text, envelope from open
     )
     select id from inserted`,
    values: [rowsJson, CheckInRecorded.topic, CheckInRecorded.type],
  });
  return new Set(rows.map((r) => r.id));
}

interface Pending {
  checkIn: PreparedCheckIn;
  resolve: (written: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for single check-ins. Every statement that writes the outbox fires its NOTIFY trigger,
 * and Postgres serializes the commits of notifying transactions; one request = one commit would cap the
 * service at one check-in per WAL flush. Check-ins that arrive while a write is in flight are written
 * together in the next statement instead: each caller still gets its answer only after its own row
 * committed. A write Postgres aborted as a deadlock or serialization failure runs again as it was; if a
 * combined write fails otherwise, each check-in is retried on its own so one bad row cannot sink the
 * others. Give it the pool, never a client inside a transaction.
 */
export class CheckInBatcher {
  readonly #sql: SqlRunner;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #queue: Pending[] = [];
  #inFlight = 0;

  constructor(sql: SqlRunner, options: { maxBatch?: number; maxInFlight?: number } = {}) {
    this.#sql = sql;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxInFlight = options.maxInFlight ?? 2;
  }

  /** Resolves true once written, false when its cycle was locked meanwhile. */
  write(checkIn: PreparedCheckIn): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ checkIn, resolve, reject });
      if (this.#inFlight < this.#maxInFlight) setImmediate(() => this.#flush());
    });
  }

  async #flush(): Promise<void> {
    if (this.#queue.length === 0 || this.#inFlight >= this.#maxInFlight) return;
    const batch = this.#queue.splice(0, this.#maxBatch);
    this.#inFlight += 1;
    try {
      const written = await retryOnConflict(() =>
        writeCheckIns(
          this.#sql,
          batch.map((p) => p.checkIn),
        ),
      );
      for (const p of batch) p.resolve(written.has(p.checkIn.event.checkInId));
    } catch {
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve((await retryOnConflict(() => writeCheckIns(this.#sql, [p.checkIn]))).size === 1);
          } catch (error) {
            p.reject(error);
          }
        }),
      );
    } finally {
      this.#inFlight -= 1;
      if (this.#queue.length > 0) setImmediate(() => this.#flush());
    }
  }
}
