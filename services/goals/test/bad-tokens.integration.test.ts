import { describe, expect, it } from "vitest";
import { TargetLoader } from "../src/repositories/check-ins.ts";
import { advance, draftObjective, startGoalsWithOrganizations } from "./support.ts";

const { service, orgs } = await startGoalsWithOrganizations(["Tokens"]);
const [a] = orgs;
const kr: string = (await draftObjective(a, { title: "Flow for customers" })).keyResults[0].id;
await advance(a, "CHECK_INS");

const checkIn = { value: 3, confidence: 0.5, evidence: { url: "https://x.example" } };

const signed = (claims: Record<string, unknown>) => service.signClaims(claims);
const now = () => Math.floor(Date.now() / 1000);

/** Rows and outbox inserts: any write by any tenant moves one of these. */
async function writes() {
  const { rows } = await service.runtime.pool.query(
    `select (select count(*) from check_ins)::int as check_ins, (select count(*) from organizations)::int as orgs,
            (select count(*) from objectives)::int as objectives,
            (select last_value::text from outbox_events_seq_seq) as outbox`,
  );
  return rows[0];
}

const send = (token: string, method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  service.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

describe("tokens whose claims cannot be trusted", () => {
  it("are refused with 401 problem+json and a Bearer challenge before anything is read or stored", async () => {
    const member = { sub: a.member.subject, roles: ["member"], iat: now(), exp: now() + 3600 };
    const tokens: [string, string][] = [
      ["tenant not a UUID", await signed({ ...member, tenant: "not-a-uuid" })],
      ["tenant an injection", await signed({ ...member, tenant: "x' or '1'='1" })],
      ["no exp", await signed({ ...member, tenant: a.admin.tenantId, exp: undefined })],
      ["valid for 100 years", await signed({ ...member, tenant: a.admin.tenantId, exp: now() + 3.2e9 })],
      ["sub with a NUL", await signed({ ...member, tenant: a.admin.tenantId, sub: "p\u0000" })],
    ];
    const before = await writes();
    for (const [what, token] of tokens) {
      for (const [method, url, payload] of [
        ["POST", `/key-results/${kr}/check-ins`, checkIn],
        ["POST", "/check-ins/bulk", { checkIns: [{ keyResultId: kr, ...checkIn }] }],
        ["GET", `/objectives?cycleId=${a.cycleId}`, undefined],
        ["PUT", "/organization", { name: "Taken", mission: "Mine now" }],
      ] as const) {
        const response = await send(token, method, url, payload);
        expect([what, url, response.statusCode]).toEqual([what, url, 401]);
        expect(response.headers["content-type"]).toMatch(/application\/problem\+json/);
        expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
      }
    }
    expect(await writes()).toEqual(before);
  });

  it("a request with an impossible tenant in the batched check-in lookup fails alone", async () => {
    const loader = new TargetLoader(service.runtime.pool);
    // Same turn of the event loop: these share one batch.
    const [bad, good, badKr] = await Promise.all([
      loader.load("not-a-uuid", kr, null),
      loader.load(a.admin.tenantId, kr, a.member.subject),
      loader.load(a.admin.tenantId, "not-a-uuid", a.member.subject),
    ]);
    expect(bad).toBeUndefined();
    expect(badKr).toBeUndefined();
    expect(good).toMatchObject({ id: kr, cycleId: a.cycleId, actorTeams: [a.teamId] });

    // Over HTTP, good check-ins sent together with refused ones are all recorded.
    const goodToken = await service.token(["member"], a.admin.tenantId, a.member.subject);
    const badToken = await signed({
      tenant: "not-a-uuid",
      sub: a.member.subject,
      roles: ["member"],
      iat: now(),
      exp: now() + 3600,
    });
    const before = (await writes()).check_ins;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(i % 2 ? badToken : goodToken, "POST", `/key-results/${kr}/check-ins`, checkIn),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? 401 : 201)),
    );
    expect((await writes()).check_ins).toBe(before + 10);
  });
});
