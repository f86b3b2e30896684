import type { EventData, KeyResultScored, ObjectiveScored } from "@okr/events";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

/** The score events the web app's /live stream passes on, as the event catalog defines them. */
export type LiveEvent =
  | { type: "okr.key-result.scored.v1"; data: EventData<typeof KeyResultScored> }
  | { type: "okr.objective.scored.v1"; data: EventData<typeof ObjectiveScored> };

const LIVE_TYPES = ["okr.key-result.scored.v1", "okr.objective.scored.v1"] as const;

type Json = unknown;

/**
 * `data` with the event's new score written into every key result or objective it names, wherever it
 * sits (a page of objectives, a tree, one key result). What the event does not touch keeps its identity,
 * so only the components showing a changed score render again.
 */
export function applyLiveEvent(data: Json, event: LiveEvent): Json {
  if (Array.isArray(data)) {
    let changed = false;
    const next = data.map((item) => {
      const patched = applyLiveEvent(item, event);
      if (patched !== item) changed = true;
      return patched;
    });
    return changed ? next : data;
  }
  if (typeof data !== "object" || data === null) return data;
  const record = data as Record<string, Json>;
  let next: Record<string, Json> | undefined;
  for (const [key, value] of Object.entries(record)) {
    const patched = applyLiveEvent(value, event);
    if (patched !== value) {
      next ??= { ...record };
      next[key] = patched;
    }
  }
  const own = ownFields(record, event);
  return own ? { ...(next ?? record), ...own } : (next ?? record);
}

/** The fields the event changes on this record, when the record is what the event is about. */
function ownFields(record: Record<string, Json>, event: LiveEvent): Record<string, Json> | undefined {
  if (event.type === "okr.key-result.scored.v1") {
    const { keyResultId, objectiveId, score, progress } = event.data;
    if (record.id !== keyResultId || record.objectiveId !== objectiveId || !("score" in record)) return;
    if (record.score === score && record.progress === progress) return;
    return { score, progress };
  }
  const { objectiveId, score, grade, band, atRisk, asOf } = event.data;
  if (record.id !== objectiveId || !("keyResults" in record) || !("score" in record)) return;
  if (record.score === score && record.band === band && record.atRisk === atRisk && record.grade === grade)
    return;
  return { score, grade, band, atRisk, scoredAt: asOf };
}

/** How many entities' latest live scores a page keeps to lay over answers fetched later. */
const REMEMBERED_SCORES = 500;

/**
 * Live scores kept in a query client's cache. Each event is written into every cached answer that shows
 * what it names, and remembered (the newest per key result or objective): an answer fetched afterwards
 * may come from a read model that has not applied the event yet (a refetch after a check-in races the
 * score it causes), so what is remembered is laid over every answer that arrives. Events of one objective
 * arrive in order, so the one remembered is the newest this page knows.
 */
export class LiveScores {
  readonly #client: QueryClient;
  readonly #latest = new Map<string, LiveEvent>();
  readonly #unsubscribe: () => void;

  constructor(client: QueryClient) {
    this.#client = client;
    this.#unsubscribe = client.getQueryCache().subscribe((change) => {
      if (change.type !== "updated" || change.action.type !== "success") return;
      const data = change.query.state.data;
      let patched = data;
      for (const event of this.#latest.values()) patched = applyLiveEvent(patched, event);
      // Writing the patched answer notifies again; it then changes nothing, so this ends there.
      if (patched !== data) client.setQueryData(change.query.queryKey, patched);
    });
  }

  apply(event: LiveEvent): void {
    const key =
      event.type === "okr.key-result.scored.v1"
        ? `kr:${event.data.keyResultId}`
        : `objective:${event.data.objectiveId}`;
    this.#latest.delete(key);
    this.#latest.set(key, event);
    if (this.#latest.size > REMEMBERED_SCORES)
      this.#latest.delete(this.#latest.keys().next().value as string);
    for (const query of this.#client.getQueryCache().getAll()) {
      const data = query.state.data;
      if (data === undefined) continue;
      const patched = applyLiveEvent(data, event);
      if (patched !== data) this.#client.setQueryData(query.queryKey, patched);
    }
  }

  close(): void {
    this.#unsubscribe();
  }
}

/**
 * While a person is signed in, scores and at-risk flags on open pages follow the platform's score events
 * (the web app's /live stream) without a reload. EventSource reconnects by itself after a drop.
 */
export function useLiveScores(enabled: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    const scores = new LiveScores(client);
    const source = new EventSource("/live");
    const listeners = LIVE_TYPES.map((type) => {
      const listener = (message: Event) => {
        try {
          const data: unknown = JSON.parse(String((message as MessageEvent).data));
          scores.apply({ type, data } as LiveEvent);
        } catch {
          // A line this page cannot read changes nothing; the next request shows the truth.
        }
      };
      source.addEventListener(type, listener);
      return [type, listener] as const;
    });
    return () => {
      for (const [type, listener] of listeners) source.removeEventListener(type, listener);
      source.close();
      scores.close();
    };
  }, [client, enabled]);
}
