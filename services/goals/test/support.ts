import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Role } from "@okr/service-kit";
import { ServiceProcess, startTestService, type TestService } from "@okr/testkit";
import { afterAll } from "vitest";
import type { GoalsDb } from "../src/database.ts";
import { goalsService } from "../src/service.ts";

export type GoalsTestService = TestService<GoalsDb>;

/** Each test file's service consumes in its own consumer groups (testkit names them uniquely). */
const startGoals = () => startTestService(goalsService);

/**
 * Starts goals for this test file with one organization per name (the file builds its own fixtures on
 * them) and stops the service after the file's tests. Test files await it at their top level.
 */
export async function startGoalsWithOrganizations<const Names extends readonly string[]>(
  names: Names,
): Promise<{ service: GoalsTestService; orgs: { -readonly [K in keyof Names]: Organization } }> {
  const service = await startGoals();
  afterAll(() => service.stop());
  const orgs: Organization[] = [];
  for (const name of names) orgs.push(await createOrganization(service, name));
  return { service, orgs: orgs as { -readonly [K in keyof Names]: Organization } };
}

/** A JSON answer: tests read fields freely and assert on them. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are untyped JSON checked by the assertions
export type Json = any;

export interface Call {
  status: number;
  body: Json;
  headers: Record<string, unknown>;
}

/** One tenant's view of the API: every call signed as a person of that tenant with the given roles. */
export class Client {
  readonly service: GoalsTestService;
  readonly tenantId: string;
  readonly subject: string;
  readonly roles: Role[];

  constructor(service: GoalsTestService, tenantId: string, subject: string, roles: Role[]) {
    this.service = service;
    this.tenantId = tenantId;
    this.subject = subject;
    this.roles = roles;
  }

  as(roles: Role[], subject: string = randomUUID()): Client {
    return new Client(this.service, this.tenantId, subject, roles);
  }

  async call(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Call> {
    const token = await this.service.token(this.roles, this.tenantId, this.subject);
    const response = await this.service.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return {
      status: response.statusCode,
      body: response.body ? response.json() : null,
      headers: response.headers,
    };
  }

  get = (url: string) => this.call("GET", url);
  post = (url: string, payload?: unknown, headers?: Record<string, string>) =>
    this.call("POST", url, payload ?? {}, headers);
  patch = (url: string, payload: unknown) => this.call("PATCH", url, payload);
  put = (url: string, payload: unknown) => this.call("PUT", url, payload);
  delete = (url: string) => this.call("DELETE", url);

  /** Fails the test with the problem detail when the status is not the expected one. */
  async ok(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    payload?: unknown,
    expected = [200, 201, 204],
  ) {
    const result = await this.call(method, url, payload);
    if (!expected.includes(result.status))
      throw new Error(`${method} ${url} -> ${result.status}: ${JSON.stringify(result.body)}`);
    return result.body;
  }
}

export const measurableKr = (title = "Cut lead time", extra: Record<string, unknown> = {}) => ({
  title,
  type: "decrease-to",
  baseline: 20,
  target: 5,
  unit: "days",
  ...extra,
});

export interface Organization {
  admin: Client;
  leader: Client;
  member: Client;
  outsider: Client;
  rootTeamId: string;
  teamId: string;
  otherTeamId: string;
  cycleId: string;
}

/**
 * A small organization: root team (led by `leader`) with two sub-teams; `member` belongs to the first;
 * `outsider` to the second. One cycle running now, in CHECK_INS.
 */
export async function createOrganization(service: GoalsTestService, name = "Acme"): Promise<Organization> {
  const tenantId = randomUUID();
  const admin = new Client(service, tenantId, randomUUID(), ["admin"]);
  await admin.ok("PUT", "/organization", {
    name,
    mission: "Customers get working software the week they ask",
  });
  const person = async (roles: Role[], label: string) => {
    const body = await admin.ok("POST", "/people", {
      name: label,
      email: `${label}-${randomUUID()}@example.com`,
      roles,
    });
    return new Client(service, tenantId, body.id, roles);
  };
  const leader = await person(["leader"], "lee");
  const member = await person(["member"], "pat");
  const outsider = await person(["member"], "sam");
  const root = await admin.ok("POST", "/teams", { name: `${name} leadership`, leaderIds: [leader.subject] });
  const team = await admin.ok("POST", "/teams", {
    name: "Platform",
    parentTeamId: root.id,
    memberIds: [member.subject],
  });
  const other = await admin.ok("POST", "/teams", {
    name: "Sales",
    parentTeamId: root.id,
    memberIds: [outsider.subject],
  });
  const now = Date.now();
  const cycle = await admin.ok("POST", "/cycles", {
    name: `cycle-${randomUUID().slice(0, 8)}`,
    startsAt: new Date(now - 30 * 86_400_000).toISOString(),
    endsAt: new Date(now + 60 * 86_400_000).toISOString(),
    timeZone: "Europe/Berlin",
  });
  return {
    admin,
    leader,
    member,
    outsider,
    rootTeamId: root.id,
    teamId: team.id,
    otherTeamId: other.id,
    cycleId: cycle.id,
  };
}

/**
 * The body of a POST /objectives: a committed objective of the organization's team in its cycle; `extra`
 * replaces any field.
 */
export const objectiveDraft = (org: Organization, extra: Record<string, unknown> = {}) => ({
  cycleId: org.cycleId,
  title: "Flow",
  kind: "committed",
  owner: { kind: "team", id: org.teamId },
  ...extra,
});

/** Drafts an objective (see `objectiveDraft`) with one measurable key result, as `client` (the member by default). */
export const draftObjective = (org: Organization, extra: Record<string, unknown> = {}, client = org.member) =>
  client.ok("POST", "/objectives", objectiveDraft(org, { keyResults: [measurableKr()], ...extra }));

/**
 * Drafts three aspirational objectives owned by the organization's member, two key results each: what the
 * default policy asks of one owner before a submit. Titled `${prefix} A` to `C`; answers their ids in order.
 */
export async function draftMemberObjectives(org: Organization, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (const title of ["A", "B", "C"]) {
    const body = await draftObjective(org, {
      title: `${prefix} ${title}`,
      kind: "aspirational",
      owner: { kind: "person", id: org.member.subject },
      keyResults: [measurableKr(), measurableKr("second")],
    });
    ids.push(body.id);
  }
  return ids;
}

/** The outbox sequence moves on every insert attempt, even a rolled-back one: the strictest "nothing published". */
export const outboxSequence = async (service: GoalsTestService) =>
  (await service.runtime.pool.query("select last_value::text as v, is_called from outbox_events_seq_seq"))
    .rows[0];

export const advance = (org: Organization, phase: string) =>
  org.admin.ok("POST", `/cycles/${org.cycleId}/phase`, { phase });

/** What the goals processes tests spawn sign tokens with. */
export const PROCESS_AUTH = { secret: "goals-process-test-secret-0123456789", issuer: "okr-startup-test" };

/** The goals process (`src/main.ts`) as `npm start` runs it, on a free port, for tests of start-up. */
export type GoalsProcess = ServiceProcess;

export const GoalsProcess = {
  /** `env` gives DATABASE_URL and KAFKA_BROKERS, and may add or override any other variable. */
  spawn: (env: { DATABASE_URL: string; KAFKA_BROKERS: string } & Record<string, string>) =>
    ServiceProcess.spawn(fileURLToPath(new URL("../src/main.ts", import.meta.url)), {
      AUTH_JWT_SECRET: PROCESS_AUTH.secret,
      AUTH_JWT_ISSUER: PROCESS_AUTH.issuer,
      ...env,
    }),
};
