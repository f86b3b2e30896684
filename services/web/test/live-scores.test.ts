import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applyLiveEvent, type LiveEvent, LiveScores } from "../app/live.ts";

/** How a score event is written into what the pages hold: only what it names changes, nothing else. */
const policy = { id: "google-0-1", version: 1 };
const kr = (id: string, objectiveId: string, score: number | null) => ({
  id,
  objectiveId,
  title: `KR ${id}`,
  score,
  progress: score,
});
const objective = (id: string, score: number | null, keyResults: object[], children: object[] = []) => ({
  id,
  title: `Objective ${id}`,
  score,
  grade: score,
  band: null as string | null,
  atRisk: null as boolean | null,
  scoredAt: null as string | null,
  keyResults,
  children,
});

const tree = {
  cycleId: "c1",
  roots: [
    objective(
      "o1",
      null,
      [kr("k1", "o1", null), { ...kr("k2", "o1", 0.3), contributors: [] }],
      [objective("o2", 0.5, [kr("k3", "o2", 0.5)])],
    ),
  ],
};

const krScored = (keyResultId: string, objectiveId: string, score: number): LiveEvent => ({
  type: "okr.key-result.scored.v1",
  data: {
    keyResultId,
    objectiveId,
    cycleId: "c1",
    progress: score,
    score,
    confidence: 0.7,
    policy,
    asOf: "2026-12-04T10:00:00.000Z",
  },
});

describe("applyLiveEvent", () => {
  it("writes a key result's score where it sits in the tree and keeps every other branch as it was", () => {
    const next = applyLiveEvent(tree, krScored("k3", "o2", 0.8)) as typeof tree;
    expect(next.roots[0]?.children[0]).toMatchObject({ keyResults: [kr("k3", "o2", 0.8)] });
    // Untouched parts are the same objects: React renders only what changed.
    expect(next.roots[0]?.keyResults).toBe(tree.roots[0]?.keyResults);
    expect(next).not.toBe(tree);
    // The tree it started from is unchanged.
    expect(tree.roots[0]?.children[0]).toMatchObject({ keyResults: [kr("k3", "o2", 0.5)] });
  });

  it("writes an objective's score, grade, band and at-risk flag", () => {
    const event: LiveEvent = {
      type: "okr.objective.scored.v1",
      data: {
        objectiveId: "o1",
        cycleId: "c1",
        kind: "committed",
        score: 0.2,
        grade: 0.2,
        band: "red",
        atRisk: true,
        policy,
        asOf: "2026-12-04T10:00:00.000Z",
      },
    };
    const next = applyLiveEvent(tree, event) as typeof tree;
    expect(next.roots[0]).toMatchObject({
      score: 0.2,
      grade: 0.2,
      band: "red",
      atRisk: true,
      scoredAt: "2026-12-04T10:00:00.000Z",
    });
    expect(next.roots[0]?.children).toBe(tree.roots[0]?.children);
  });

  it("returns the very same data when the event names nothing in it or changes nothing", () => {
    expect(applyLiveEvent(tree, krScored("k9", "o1", 0.4))).toBe(tree);
    // The same id under another objective is not this key result.
    expect(applyLiveEvent(tree, krScored("k1", "o2", 0.4))).toBe(tree);
    expect(applyLiveEvent(tree, krScored("k2", "o1", 0.3))).toBe(tree);
    const once = applyLiveEvent(tree, krScored("k1", "o1", 0.4));
    expect(applyLiveEvent(once, krScored("k1", "o1", 0.4))).toBe(once);
    expect(applyLiveEvent(null, krScored("k1", "o1", 0.4))).toBe(null);
    expect(applyLiveEvent("text", krScored("k1", "o1", 0.4))).toBe("text");
  });

  it("updates a key result held on its own and in a page of objectives", () => {
    const single = kr("k1", "o1", null);
    expect(applyLiveEvent(single, krScored("k1", "o1", 0.9))).toEqual(kr("k1", "o1", 0.9));
    const page = { items: [objective("o1", null, [kr("k1", "o1", null)])], nextCursor: null };
    const next = applyLiveEvent(page, krScored("k1", "o1", 0.9)) as typeof page;
    expect(next.items[0]?.keyResults[0]).toEqual(kr("k1", "o1", 0.9));
    expect(next.nextCursor).toBeNull();
  });
});

describe("LiveScores", () => {
  it("lays a live score over an answer fetched afterwards from a read model that lags behind it", async () => {
    const client = new QueryClient();
    const scores = new LiveScores(client);
    client.setQueryData(["key-result", "k1"], kr("k1", "o1", 0));
    scores.apply(krScored("k1", "o1", 0.6));
    expect(client.getQueryData(["key-result", "k1"])).toEqual(kr("k1", "o1", 0.6));

    // The refetch a check-in starts answers what goals had before it applied the score: the live one stays.
    await client.fetchQuery({ queryKey: ["key-result", "k1"], queryFn: async () => kr("k1", "o1", 0) });
    expect(client.getQueryData(["key-result", "k1"])).toEqual(kr("k1", "o1", 0.6));
    // A page opened later shows it too, and a newer event replaces what is remembered.
    await client.fetchQuery({
      queryKey: ["objectives"],
      queryFn: async () => [objective("o1", null, [kr("k1", "o1", null)])],
    });
    expect(client.getQueryData<ReturnType<typeof objective>[]>(["objectives"])?.[0]?.keyResults[0]).toEqual(
      kr("k1", "o1", 0.6),
    );
    scores.apply(krScored("k1", "o1", 0.2));
    await client.fetchQuery({ queryKey: ["key-result", "k1"], queryFn: async () => kr("k1", "o1", 0.6) });
    expect(client.getQueryData(["key-result", "k1"])).toEqual(kr("k1", "o1", 0.2));

    // Closed, it lays nothing over what is fetched.
    scores.close();
    await client.fetchQuery({ queryKey: ["key-result", "k1"], queryFn: async () => kr("k1", "o1", 0.9) });
    expect(client.getQueryData(["key-result", "k1"])).toEqual(kr("k1", "o1", 0.9));
  });
});
