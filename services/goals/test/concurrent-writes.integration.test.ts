import { randomInt } from "node:crypto";
import { waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { draftObjective, type Json, measurableKr, startGoalsWithOrganizations } from "./support.ts";

const { service, orgs } = await startGoalsWithOrganizations(["Acme"]);
const [org] = orgs;
const keyResultIds: string[] = [];
// 100 KRs: 4 teams x 5 objectives (the policy's limit per owner) x 5 KRs (its limit per objective).
const extraTeam = await org.admin.ok("POST", "/teams", { name: "Ops", parentTeamId: org.rootTeamId });
for (const teamId of [org.rootTeamId, org.teamId, org.otherTeamId, extraTeam.id])
  for (let o = 0; o < 5; o++) {
    const objective = await draftObjective(
      org,
      {
        title: `Objective ${o}`,
        owner: { kind: "team", id: teamId },
        keyResults: Array.from({ length: 5 }, (_, k) => measurableKr(`KR ${k}`)),
      },
      org.admin,
    );
    keyResultIds.push(...objective.keyResults.map((kr: Json) => kr.id));
  }

const shuffled = <T>(items: T[]): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

const checkIn = (keyResultId: string, value: number, recordedAt: number) => ({
  keyResultId,
  value,
  confidence: 0.5,
  evidence: { system: "ci:concurrent-writes" },
  recordedAt: new Date(recordedAt).toISOString(),
});

/** The tenant's stored check-in ids, and the KRs whose latest value is not their newest check-in's. */
async function stored() {
  const pool = service.runtime.pool;
  const { rows } = await pool.query<{ id: string }>("select id from check_ins where tenant_id = $1", [
    org.admin.tenantId,
  ]);
  const { rows: stale } = await pool.query<{ id: string }>(
    `select k.id from key_results k
      cross join lateral (select value from check_ins c where c.key_result_id = k.id
                           order by recorded_at desc, id desc limit 1) newest
      where k.tenant_id = $1 and k.latest_value is distinct from newest.value`,
    [org.admin.tenantId],
  );
  return { ids: rows.map((r) => r.id).sort(), stale: stale.map((r) => r.id) };
}

describe("concurrent writes on shared key results", () => {
  it("overlapping bulk check-ins, each on its own subset of the KRs in its own order, all answer 2xx and are stored exactly once", async () => {
    const WAVES = 20;
    const PER_WAVE = 10;
    const KRS_PER_REQUEST = 30;
    const total = WAVES * PER_WAVE * KRS_PER_REQUEST;
    const started = Date.now() - total - 60_000;
    // Distinct recordedAt values, shuffled across requests: exactly one check-in is each KR's newest, and
    // each request moves some of its KRs' latest values and not others.
    const instants = shuffled(Array.from({ length: total }, (_, i) => started + i));
    let next = 0;
    const answers = [];
    for (let wave = 0; wave < WAVES; wave++) {
      // A small, compact key_results table (as autovacuum keeps it) is joined by scanning it: row locks
      // taken in scan order follow the rows' physical places, which differ between snapshots.
      await service.runtime.pool.query("vacuum full analyze key_results");
      const bodies = Array.from({ length: PER_WAVE }, (_, r) => ({
        checkIns: shuffled(keyResultIds)
          .slice(0, KRS_PER_REQUEST)
          .map((id) => checkIn(id, wave * PER_WAVE + r, instants[next++] as number)),
      }));
      answers.push(...(await Promise.all(bodies.map((body) => org.admin.post("/check-ins/bulk", body)))));
    }

    expect(answers.filter((a) => a.status !== 200).map((a) => a.status)).toEqual([]);
    for (const answer of answers) {
      expect(answer.body.rejected).toEqual([]);
      expect(answer.body.accepted).toBe(KRS_PER_REQUEST);
    }
    const answeredIds = answers.flatMap((a) => a.body.checkIns.map((c: Json) => c.id as string));
    expect(new Set(answeredIds).size).toBe(total);
    // Each answered check-in is stored once, nothing else is, and every KR shows its newest check-in.
    const after = await stored();
    expect(after.ids).toEqual([...answeredIds].sort());
    expect(after.stale).toEqual([]);
  });

  it("a bulk write Postgres aborts to break a deadlock is run again: 200, each check-in stored once", async () => {
    const pool = service.runtime.pool;
    const before = await stored();
    // Two KRs whose id order is also their physical order: however the statement is planned, it takes
    // the first KR's row lock before it waits for the second's.
    const { rows } = await pool.query<{ id: string }>(
      "select id from key_results where id = any($1::uuid[]) order by ctid",
      [keyResultIds],
    );
    const byPlace = rows.map((r) => r.id);
    const first = byPlace.find((id, i) => byPlace.slice(i + 1).some((later) => later > id)) as string;
    const second = byPlace.slice(byPlace.indexOf(first) + 1).find((later) => later > first) as string;

    // Another writer that takes the same two rows in the other order.
    const other = await pool.connect();
    try {
      await other.query("begin");
      await other.query("update key_results set updated_at = now() where id = $1", [second]);
      const now = Date.now();
      const bulk = org.admin.post("/check-ins/bulk", {
        checkIns: [checkIn(first, 1, now), checkIn(second, 2, now)],
      });
      await waitFor("the bulk write to wait for the other writer's row", async () => {
        const waiting = await pool.query(
          `select 1 from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like '%insert into check_ins%'`,
        );
        return waiting.rowCount === 1;
      });
      // Closes the cycle: Postgres aborts the bulk write (it has waited longest) with 40P01.
      await other.query("update key_results set updated_at = now() where id = $1", [first]);
      await other.query("commit");

      const answer = await bulk;
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ accepted: 2, rejected: [] });
      const after = await stored();
      const written = answer.body.checkIns.map((c: Json) => c.id);
      expect(after.ids).toEqual([...before.ids, ...written].sort());
      expect(after.stale).toEqual([]);
    } finally {
      other.release();
    }
  });
});
