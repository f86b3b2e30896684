import { describe, expect, it } from "vitest";
import type { TreeNode } from "../shared/alignment-tree.ts";
import { csvCell, toCsv } from "../src/csv.ts";
import { cycleExportRows, EXPORT_HEADER } from "../src/cycle-export.ts";

describe("csvCell", () => {
  it("writes plain text, numbers and booleans as they are, and nothing as an empty cell", () => {
    expect(csvCell("Cut lead time")).toBe("Cut lead time");
    expect(csvCell(0.7)).toBe("0.7");
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("quotes a cell with a comma, a quote or a line break and doubles its quotes", () => {
    expect(csvCell("days, not weeks")).toBe('"days, not weeks"');
    expect(csvCell('the "fast" lane')).toBe('"the ""fast"" lane"');
    expect(csvCell("line one\nline two")).toBe('"line one\nline two"');
    expect(csvCell("a\r\nb")).toBe('"a\r\nb"');
  });

  it("defuses text a spreadsheet would run as a formula with a leading apostrophe", () => {
    expect(csvCell('=HYPERLINK("http://evil.example")')).toBe('"\'=HYPERLINK(""http://evil.example"")"');
    expect(csvCell("+1+1")).toBe("'+1+1");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tcmd")).toBe("'\tcmd");
    expect(csvCell("\rcmd")).toBe('"\'\rcmd"');
    // Only at the start: an equals sign inside a note is text.
    expect(csvCell("lead time = wait + work")).toBe("lead time = wait + work");
  });
});

describe("toCsv", () => {
  it("writes the header and each row as a CRLF-ended line", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          [1, "x,y"],
          [null, "=1"],
        ],
      ),
    ).toBe('a,b\r\n1,"x,y"\r\n,\'=1\r\n');
  });

  it("writes only the header when there are no rows", () => {
    expect(toCsv(["record"], [])).toBe("record\r\n");
  });
});

const keyResult = (id: string, title: string, contributors: TreeNode[] = []) => ({
  id,
  objectiveId: "o",
  cycleId: "c",
  title,
  type: "decrease-to",
  baseline: 20,
  target: 5,
  bandLow: null,
  bandHigh: null,
  milestones: [],
  unit: "days",
  weight: 1,
  owner: { kind: "team", id: "t1" },
  evidence: { kind: "link", description: "" },
  carriedFromKeyResultId: null,
  lastCheckInAt: null,
  latestValue: null,
  latestConfidence: null,
  milestonesDone: null,
  score: null,
  progress: null,
  version: 1,
  contributors,
});

const objective = (id: string, title: string, extra: Partial<TreeNode> = {}): TreeNode => ({
  id,
  cycleId: "c",
  title,
  description: "",
  kind: "committed",
  state: "DRAFT",
  owner: { kind: "team", id: "t1" },
  weight: 1,
  alignedToObjectiveId: null,
  contributesToKeyResultId: null,
  returnReason: null,
  version: 1,
  createdAt: "2026-10-01T00:00:00.000Z",
  updatedAt: "2026-10-01T00:00:00.000Z",
  score: 0.5,
  grade: 0.5,
  band: "yellow",
  atRisk: null,
  scoredAt: null,
  keyResults: [],
  children: [],
  ...extra,
});

describe("cycleExportRows", () => {
  it("lists each objective, its key results and their check-ins, aligned and contributing ones too", () => {
    const contributor = objective("o3", "Contributes");
    const child = objective("o2", "Aligned", { kind: "aspirational" });
    const root = objective("o1", "Root", {
      keyResults: [keyResult("k1", "Lead time", [contributor])],
      children: [child],
    });
    const rows = cycleExportRows(
      [root],
      new Map([
        [
          "k1",
          [
            {
              recordedAt: "2026-11-01T10:00:00.000Z",
              value: 11,
              confidence: 0.7,
              note: "=cmd",
              source: "manual",
              evidence: { url: "https://grafana.example/lead" },
            },
          ],
        ],
      ]),
    );
    expect(rows.map((row) => [row[0], row[2], row[9] ?? null])).toEqual([
      ["objective", "Root", null],
      ["key result", "Root", "Lead time"],
      ["check-in", "Root", "Lead time"],
      ["objective", "Contributes", null],
      ["objective", "Aligned", null],
    ]);
    const checkIn = rows[2] as unknown[];
    expect(checkIn).toHaveLength(EXPORT_HEADER.length);
    expect(checkIn.slice(-6)).toEqual([
      "2026-11-01T10:00:00.000Z",
      11,
      0.7,
      "=cmd",
      "manual",
      "https://grafana.example/lead",
    ]);
    // The note is defused when written.
    expect(toCsv(EXPORT_HEADER, rows)).toContain(",'=cmd,");
  });
});
