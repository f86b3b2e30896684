import { setTimeout as sleep } from "node:timers/promises";
import { DATABASE_RETRY_AFTER_SECONDS } from "@okr/service-kit";
import { type PrivatePostgres, startPrivatePostgres, startTestService, waitFor } from "@okr/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goalsService } from "../src/service.ts";
import {
  type Call,
  createOrganization,
  draftObjective,
  type GoalsTestService,
  type Organization,
} from "./support.ts";

let server: PrivatePostgres;
let service: GoalsTestService;
let org: Organization;
let keyResultId: string;
beforeAll(async () => {
  server = await startPrivatePostgres("goals-restart-test");
  service = await startTestService(goalsService, {}, { databaseServerUrl: server.url("postgres") });
  org = await createOrganization(service);
  keyResultId = (await draftObjective(org)).keyResults[0].id;
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await server?.stop();
});

const checkIn = (note: string) => ({
  value: 12,
  confidence: 0.6,
  note,
  evidence: { url: "https://grafana.example/lead-time" },
});

describe("the goals API while its Postgres restarts", () => {
  it("answers 503 with Retry-After (never 500) while the database is away, then serves again without a restart", async () => {
    const answers: { kind: "write" | "read"; note?: string; call: Call }[] = [];
    let sent = 0;
    let running = true;
    const client = async () => {
      while (running) {
        const note = `check-in #${sent++}`;
        answers.push({
          kind: "write",
          note,
          call: await org.member.post(`/key-results/${keyResultId}/check-ins`, checkIn(note)),
        });
        answers.push({ kind: "read", call: await org.member.get(`/key-results/${keyResultId}/check-ins`) });
      }
    };
    const clients = [client(), client(), client()];
    await sleep(500);
    await server.restart({ mode: "immediate" });
    const restartedAt = answers.length;
    // Served again by the same process: pools and the relay replaced their dead connections themselves.
    await waitFor(
      "a check-in accepted after the restart",
      () => answers.slice(restartedAt).some(({ kind, call }) => kind === "write" && call.status === 201),
      30_000,
    );
    running = false;
    await Promise.all(clients);

    const failures = answers.filter(({ call }) => call.status >= 500);
    expect(failures.filter(({ call }) => call.status !== 503).map(({ call }) => call.body)).toEqual([]);
    expect(failures.length).toBeGreaterThan(0);
    for (const { call } of failures) {
      expect(call.headers["retry-after"]).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
      expect(call.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(call.body).toMatchObject({
        type: "https://okr-platform.dev/problems/database-unavailable",
        status: 503,
      });
    }
    // Nothing else than the outage: every other answer is the usual one.
    expect(
      answers
        .filter(({ call }) => call.status < 500 && ![200, 201].includes(call.status))
        .map(({ call }) => call.body),
    ).toEqual([]);

    // Every accepted check-in is stored once; nothing was stored that was not sent.
    const { rows } = await service.runtime.pool.query<{ note: string }>(
      "select note from check_ins where key_result_id = $1",
      [keyResultId],
    );
    const stored = rows.map((row) => row.note);
    const accepted = answers.filter(({ kind, call }) => kind === "write" && call.status === 201);
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored).toEqual(expect.arrayContaining(accepted.map(({ note }) => note)));
    const sentNotes = new Set(answers.map(({ note }) => note));
    expect(stored.filter((note) => !sentNotes.has(note))).toEqual([]);
  }, 120_000);
});
