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

/** Writes one live event into every cached answer that shows what it is about. */
export function applyToCache(client: QueryClient, event: LiveEvent): void {
  for (const query of client.getQueryCache().getAll()) {
    const data = query.state.data;
    if (data === undefined) continue;
    const patched = applyLiveEvent(data, event);
    if (patched !== data) client.setQueryData(query.queryKey, patched);
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
    const source = new EventSource("/live");
    const listeners = LIVE_TYPES.map((type) => {
      const listener = (message: Event) => {
        try {
          const data: unknown = JSON.parse(String((message as MessageEvent).data));
          applyToCache(client, { type, data } as LiveEvent);
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
    };
  }, [client, enabled]);
}
