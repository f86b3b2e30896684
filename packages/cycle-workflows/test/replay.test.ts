import { readdirSync, readFileSync } from "node:fs";
import { installTemporalRuntime } from "@okr/temporal";
import { Worker } from "@temporalio/worker";
import { describe, expect, it } from "vitest";
import { workflowBundle } from "./harness.ts";
import { historyFromJSON } from "./history-json.ts";

/**
 * Histories committed from earlier workflow versions (recorded by quarter.integration.test.ts with
 * OKR_RECORD_HISTORIES=<version>) must replay on today's workflow code: a change that would make them
 * non-deterministic has to go behind `patched()` (or a new worker build id) first.
 */
const dir = new URL("./histories/", import.meta.url);
const files = readdirSync(dir)
  .filter((file) => file.endsWith(".json"))
  .sort();

describe("replaying committed histories", () => {
  it("has histories to replay", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it("replays every committed history on the current workflow code without non-determinism", async () => {
    installTemporalRuntime("WARN");
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.json$/, ""),
      history: historyFromJSON(JSON.parse(readFileSync(new URL(file, dir), "utf8"))),
    }));
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code: (await workflowBundle()).code }, replayName: "okr-cycle-workflows" },
      histories,
    ))
      results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
    expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
  }, 60_000);
});
