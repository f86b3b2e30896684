import { Problem } from "@okr/service-kit";
import type { FastifyInstance } from "fastify";
import { objectivesOf, type TreeNode } from "../shared/alignment-tree.ts";
import { type CsvValue, toCsv } from "./csv.ts";
import type { SessionGuard } from "./session-guard.ts";

/** The fields of a goals check-in the export writes. */
export interface ExportedCheckIn {
  recordedAt: string;
  value: number;
  confidence: number;
  note: string;
  source: string;
  evidence: { url?: string; system?: string };
}

export const EXPORT_HEADER = [
  "record",
  "objective_id",
  "objective",
  "kind",
  "state",
  "owner_kind",
  "owner_id",
  "objective_score",
  "key_result_id",
  "key_result",
  "type",
  "unit",
  "baseline",
  "target",
  "key_result_score",
  "recorded_at",
  "value",
  "confidence",
  "note",
  "source",
  "evidence",
] as const;

/**
 * The rows of a cycle's export, one table a spreadsheet can filter: a row per objective, then per key
 * result under it, then per check-in of that key result (oldest first), each repeating whom it belongs to.
 */
export function cycleExportRows(
  roots: readonly TreeNode[],
  checkIns: ReadonlyMap<string, readonly ExportedCheckIn[]>,
): CsvValue[][] {
  return objectivesOf(roots).flatMap((objective) => {
    const objectiveCells = [
      objective.id,
      objective.title,
      objective.kind,
      objective.state,
      objective.owner.kind,
      objective.owner.id,
      objective.score,
    ];
    return [
      ["objective", ...objectiveCells],
      ...objective.keyResults.flatMap((kr) => {
        const krCells = [kr.id, kr.title, kr.type, kr.unit, kr.baseline, kr.target, kr.score];
        return [
          ["key result", ...objectiveCells, ...krCells],
          ...(checkIns.get(kr.id) ?? []).map((checkIn) => [
            "check-in",
            ...objectiveCells,
            ...krCells,
            checkIn.recordedAt,
            checkIn.value,
            checkIn.confidence,
            checkIn.note,
            checkIn.source,
            checkIn.evidence.url ?? checkIn.evidence.system ?? "",
          ]),
        ];
      }),
    ];
  });
}

/** Key results whose check-ins are read at once: a few, so one export cannot crowd goals out. */
const PARALLEL_READS = 4;
/** Pages of 1,000 check-ins read per key result at most, so a runaway history cannot hang an export. */
const MAX_PAGES_PER_KEY_RESULT = 10;

/**
 * GET /exports/cycles/{cycleId}/okrs.csv: the cycle's objectives, key results and check-ins as a CSV
 * download, read from goals with the session's access token (what the person may see, nothing more).
 */
export function registerCycleExport(app: FastifyInstance, guard: SessionGuard, goalsUrl: string): void {
  const base = goalsUrl.replace(/\/$/, "");
  app.get<{ Params: { cycleId: string } }>("/exports/cycles/:cycleId/okrs.csv", async (request, reply) => {
    const session = guard.require(request);
    const token = await guard.accessToken(session, reply);
    const read = async <T>(path: string): Promise<T> => {
      let answer: Response;
      try {
        answer = await fetch(`${base}${path}`, {
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
        });
      } catch (error) {
        request.log.warn({ err: error, path }, "goals unreachable");
        reply.header("retry-after", "2");
        throw new Problem(
          503,
          "service-unavailable",
          "Service unavailable",
          "the goals service did not answer",
        );
      }
      // A body that is not JSON (a proxy's error page) still answers with goals' status.
      const body = (await answer.json().catch(() => ({}))) as T & {
        type?: string;
        title?: string;
        detail?: string;
      };
      if (!answer.ok)
        throw new Problem(
          answer.status,
          body.type?.split("/").at(-1) ?? "request-failed",
          body.title ?? "Request failed",
          body.detail ?? `goals answered ${answer.status}`,
        );
      return body;
    };
    const cycleId = encodeURIComponent(request.params.cycleId);
    const tree = await read<{ cycleName: string; roots: TreeNode[] }>(`/cycles/${cycleId}/alignment-tree`);
    const keyResultIds = objectivesOf(tree.roots).flatMap((o) => o.keyResults.map((kr) => kr.id));
    const checkIns = new Map<string, ExportedCheckIn[]>();
    for (let i = 0; i < keyResultIds.length; i += PARALLEL_READS)
      await Promise.all(
        keyResultIds.slice(i, i + PARALLEL_READS).map(async (id) => {
          const items: ExportedCheckIn[] = [];
          let cursor: string | null = null;
          for (let n = 0; n < MAX_PAGES_PER_KEY_RESULT; n++) {
            const page: { items: ExportedCheckIn[]; nextCursor: string | null } = await read(
              `/key-results/${id}/check-ins?limit=1000${cursor ? `&cursor=${cursor}` : ""}`,
            );
            items.push(...page.items);
            cursor = page.nextCursor;
            if (!cursor) break;
          }
          checkIns.set(id, items);
        }),
      );
    const fileName = `${tree.cycleName.replace(/[^\w.-]+/g, "_")}-okrs.csv`;
    return (
      reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${fileName}"`)
        .header("cache-control", "no-store")
        // The byte-order mark makes spreadsheet programs read the file as UTF-8.
        .send(`\uFEFF${toCsv(EXPORT_HEADER, cycleExportRows(tree.roots, checkIns))}`)
    );
  });
}
