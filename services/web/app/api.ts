import type { FlowMetrics } from "@okr/flow-metrics";
import type {
  CycleRunSchema,
  KeyResultSchema,
  MeSchema,
  ObjectiveSchema,
  RetrospectiveSchema,
  RunTeamsSchema,
  TeamHeatmapSchema,
  WorkItemSchema,
} from "@okr/goals-service/views";
import type { CycleScoreView } from "@okr/scoring-service/views";
import type {
  Binding,
  Family,
  KaizenView,
  PullBoard,
  StreamMetricsView,
  StreamView,
} from "@okr/value-stream-service/views";
import type { Static } from "typebox";

/** The goals service's own response schemas, so a field renamed there fails this app's typecheck. */
export type KeyResult = Static<typeof KeyResultSchema>;
export type Objective = Static<typeof ObjectiveSchema>;
/** One item of GET /cycles/{id}/retrospectives: a team's retrospective of a cycle. */
export type Retrospective = Static<typeof RetrospectiveSchema>;
/** GET /me: the person the signed-in identity is linked to. */
export type Me = Static<typeof MeSchema>;
/** One item of GET /me/work: what the open cycles ask of the signed-in person. */
export type WorkItem = Static<typeof WorkItemSchema>;

export type { AlignmentTree, TreeNode } from "../shared/alignment-tree.ts";

/** Value-stream's and scoring's own response schemas, read through /api/value-stream and /api/scoring. */
export type ValueStream = Static<typeof StreamView>;
export type ProductFamily = Static<typeof Family>;
/** GET /streams/{id}/metrics; its `flow` part is flow-metrics' FlowMetrics (the schema leaves it open). */
export type StreamMetrics = Omit<Static<typeof StreamMetricsView>, "flow"> & { flow: FlowMetrics };
export type Kaizen = Static<typeof KaizenView>;
export type KeyResultBinding = Static<typeof Binding>;
export type PullSignals = Static<typeof PullBoard>;
export type CycleScores = Static<typeof CycleScoreView>;

/** GET /cycles/{id}/run: the cycle's run on the workflow engine (phase, deadline, counts, phase log). */
export type CycleRun = Static<typeof CycleRunSchema>;
/** One team of GET /cycles/{id}/run/teams, with its drafting (null: not opened, or skipped). */
export type RunTeam = Static<typeof RunTeamsSchema>["items"][number];
/** GET /cycles/{id}/teams/{teamId}/heatmap: the teams below a team with their objectives' scores. */
export type TeamHeatmap = Static<typeof TeamHeatmapSchema>;

// Goals does not export these schemas (yet): the fields this app reads, as goals' routes declare them.
export interface Cycle {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  phase: string;
  locked: boolean;
}
export interface Team {
  id: string;
  name: string;
  parentTeamId: string | null;
  leaderIds: string[];
  memberIds: string[];
}
export interface Person {
  id: string;
  name: string;
}
/** One key result of GET /cycles/{id}/check-in-status. */
export interface CheckInStatus {
  keyResultId: string;
  objectiveId: string;
  owner: { kind: string; id: string };
  teamId: string | null;
  lastCheckInAt: string | null;
  missing: boolean;
}
export interface CheckIn {
  id: string;
  value: number;
  confidence: number;
  note: string;
  evidence: { url?: string; system?: string };
  /** Milestone KRs: how many milestones are done (null: the value says it). */
  milestonesDone: number | null;
  authorId: string | null;
  source: string;
  recordedAt: string;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SessionInfo {
  signedIn: boolean;
  csrfToken?: string;
  person?: { subject: string; name?: string; email?: string };
  /** The Temporal UI's page of the cycle workflows' namespace. */
  links?: { temporalUi: string };
}

/** One broken rule of a 422 problem (goals' `rejectIf`): the field it is about as a JSON pointer. */
export interface ProblemField {
  code: string;
  message: string;
  hint?: string;
  path: string;
}

/** An RFC 9457 problem answered by a service (through the web app) or by the web app itself. */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly errors: ProblemField[];
  constructor(
    status: number,
    body: { type?: string; title?: string; detail?: string; errors?: ProblemField[] },
  ) {
    super(body.detail ?? body.title ?? `the request failed (${status})`);
    this.status = status;
    this.type = body.type ?? "about:blank";
    this.title = body.title ?? "Request failed";
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

/** A 4xx will not change by asking again; a 503 with Retry-After or a network error may. */
export const mayPassOnRetry = (error: unknown) => !(error instanceof ProblemError && error.status < 500);

let csrfToken: string | undefined;
let onSignedOut: () => void = () => {};

/** The session's CSRF token for state-changing calls, and what to do when the session is gone. */
export function bindSession(token: string | undefined, signedOut: () => void): void {
  csrfToken = token;
  onSignedOut = signedOut;
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (response.status === 401) onSignedOut();
  if (!response.ok)
    throw new ProblemError(response.status, (parsed ?? {}) as ConstructorParameters<typeof ProblemError>[1]);
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => send<T>("GET", `/api${path}`),
  post: <T>(path: string, body: unknown) => send<T>("POST", `/api${path}`, body),
  patch: <T>(path: string, body: unknown) => send<T>("PATCH", `/api${path}`, body),
  delete: (path: string) => send<undefined>("DELETE", `/api${path}`),
};

export const fetchSession = () => send<SessionInfo>("GET", "/auth/session");

export async function signOut(): Promise<void> {
  const { endSessionUrl } = await send<{ endSessionUrl: string }>("POST", "/auth/sign-out");
  window.location.assign(endSessionUrl);
}

/** Every item of a paginated list, following nextCursor (bounded, so a runaway list cannot hang a page). */
export async function allPages<T>(path: string, maxPages = 20, limit = 1000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < maxPages; n++) {
    const separator = path.includes("?") ? "&" : "?";
    const page: Page<T> = await api.get<Page<T>>(
      `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}
