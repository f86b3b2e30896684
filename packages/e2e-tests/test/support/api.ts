import { randomUUID } from "node:crypto";
import { retryWhileUnavailable, type TestService, waitFor } from "@okr/testkit";

/** End-to-end tests' calls into the services, and what they set up there: people, a cycle, a value stream. */

type Method = "GET" | "POST" | "PUT";
type Role = "admin" | "leader" | "member";

/**
 * Calls a service's API in-process as a person of `tenantId`: its admin `adminId` unless `as` says who;
 * an answer that is not a success (after honouring a 503's Retry-After) throws with its status and body.
 */
export function tenantCaller(tenantId: string, adminId: string) {
  return async (
    service: TestService<unknown>,
    method: Method,
    url: string,
    payload?: object,
    as: { roles: Role[]; subject: string } = { roles: ["admin"], subject: adminId },
  ) => {
    const token = await service.token(as.roles, tenantId, as.subject);
    const send = () =>
      service.app.inject({
        method,
        url,
        ...(payload ? { payload } : {}),
        headers: { authorization: `Bearer ${token}` },
      });
    // A 503 with Retry-After (a busy pool on a loaded machine, a start-up) is retried as a client is told to.
    const response = await retryWhileUnavailable(send, (answer) =>
      answer.statusCode === 503 ? (answer.headers["retry-after"] as string | undefined) : undefined,
    );
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url} -> ${response.statusCode}: ${response.body}`);
    return response.json();
  };
}
export type Caller = ReturnType<typeof tenantCaller>;

/**
 * The organization `name` in goals for a cycle's run: its policy only warns when an owner has fewer or
 * more objectives, or an objective fewer or more key results, than `counts` says; check-ins are Mondays
 * at 09:00.
 */
export async function warningOrganization(
  call: Caller,
  goals: TestService<unknown>,
  name: string,
  counts: { objectives: { min: number; max: number }; keyResults: { min: number; max: number } },
) {
  await call(goals, "PUT", "/organization", { name, mission: "Make every team's work visible" });
  await call(goals, "PUT", "/organization/policy", {
    objectivesPerOwner: { ...counts.objectives, enforcement: "warn" },
    keyResultsPerObjective: { ...counts.keyResults, enforcement: "warn" },
    scoringPolicyId: "default",
    checkInCadence: { weekday: 1, hour: 9, everyDays: 7 },
  });
}

/** A person of the organization in goals, with the leader role (and an email of their own). */
export async function leaderPerson(call: Caller, goals: TestService<unknown>, name: string) {
  return (await call(goals, "POST", "/people", {
    name,
    email: `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`,
    roles: ["leader"],
  })) as { id: string };
}

/** A cycle in goals that began 30 days ago and ends in 60 (Europe/Berlin), named `name` and a unique suffix. */
export function currentCycle(call: Caller, goals: TestService<unknown>, name: string) {
  const now = Date.now();
  return call(goals, "POST", "/cycles", {
    name: `${name}-${randomUUID().slice(0, 8)}`,
    startsAt: new Date(now - 30 * 86_400_000).toISOString(),
    endsAt: new Date(now + 60 * 86_400_000).toISOString(),
    timeZone: "Europe/Berlin",
  });
}

/**
 * An organization in goals with one team and, in a current cycle (see `currentCycle`), the team's
 * objective: `objective` gives its title, kind and key results. Answers the team, cycle and objective.
 */
export async function teamWithObjective(
  call: Caller,
  goals: TestService<unknown>,
  setup: {
    organization: { name: string; mission: string };
    team: string;
    cycle: string;
    objective: { title: string; kind: "committed" | "aspirational"; keyResults: object[] };
  },
) {
  await call(goals, "PUT", "/organization", setup.organization);
  const team = await call(goals, "POST", "/teams", { name: setup.team });
  const cycle = await currentCycle(call, goals, setup.cycle);
  const objective = await call(goals, "POST", "/objectives", {
    cycleId: cycle.id,
    ...setup.objective,
    owner: { kind: "team", id: team.id },
  });
  return { team, cycle, objective };
}

/** The team's leader writes the team's retrospective of the cycle, naming the key results it carries on. */
export function writeRetrospective(
  call: Caller,
  goals: TestService<unknown>,
  cycleId: string,
  leaderId: string,
  retrospective: {
    teamId: string;
    wentWell: string;
    didNotGoWell: string;
    lessons: string;
    carryForwardKeyResultIds: string[];
  },
) {
  return call(goals, "POST", `/cycles/${cycleId}/retrospectives`, retrospective, {
    roles: ["leader"],
    subject: leaderId,
  });
}

/**
 * A value stream to bind key results to: mortgage approval in three value-adding steps (10 minutes of
 * work, 30 of waiting each), in its product family.
 */
export async function mortgageApprovalStream(call: Caller, valueStream: TestService<unknown>) {
  const family = await call(valueStream, "POST", "/product-families", {
    name: "Mortgages",
    customer: "home buyers",
    valueStatement: "a yes or no on my mortgage within a day",
  });
  return call(valueStream, "POST", "/streams", {
    familyId: family.id,
    name: "Mortgage approval",
    dailyDemand: 20,
    availableMinutesPerDay: 480,
    steps: ["Apply", "Underwrite", "Offer"].map((name) => ({
      name,
      classification: "value-adding",
      processMinutes: 10,
      waitMinutes: 30,
      percentCompleteAccurate: 0.9,
    })),
  });
}

/**
 * Binds a key result to the stream's flow efficiency. Value-stream learns a key result from goals' events
 * a moment after goals created it: until then it answers 422 unknown-key-result, which a client retries.
 */
export function bindToFlowEfficiency(
  call: Caller,
  valueStream: TestService<unknown>,
  streamId: string,
  keyResultId: string,
) {
  return waitFor(
    "value-stream to know the key result and bind it",
    () =>
      call(valueStream, "POST", `/streams/${streamId}/bindings`, {
        keyResultId,
        metric: "flow-efficiency",
        direction: "increase",
      }),
    60_000,
  );
}
