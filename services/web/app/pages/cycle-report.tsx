import { useQuery } from "@tanstack/react-query";
import { objectivesOf } from "../../shared/alignment-tree.ts";
import {
  type AlignmentTree,
  api,
  type Cycle,
  type CycleScores,
  ProblemError,
  type TreeNode,
} from "../api.ts";
import { Figure } from "../components/figure.tsx";
import { grade } from "../components/score.tsx";
import { ScrollTable } from "../components/scroll-table.tsx";
import { Empty, Loaded } from "../components/states.tsx";
import { useTeams } from "../components/team-link.tsx";
import { useCycles } from "../queries.ts";
import {
  type CheckInStatus,
  carriedForward,
  disciplineByTeam,
  EXPECTED_GRADE,
  expectationMet,
  figuresByKind,
  gradeDistribution,
  nextCycle,
} from "../report-figures.ts";
import { Link } from "../router.tsx";
import "../streams.css";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const treeOf = (cycleId: string) =>
  api.get<AlignmentTree>(`/cycles/${encodeURIComponent(cycleId)}/alignment-tree`);

/** Scoring's figures of the cycle; a cycle scoring has not seen yet (404) reads as no scores yet. */
async function cycleScores(cycleId: string): Promise<CycleScores | null> {
  try {
    return await api.get<CycleScores>(`/scoring/scores/cycles/${encodeURIComponent(cycleId)}`);
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) return null;
    throw error;
  }
}

function Headline({ objectives, scores }: { objectives: TreeNode[]; scores: CycleScores | null }) {
  const scored = objectives.filter((o) => o.score !== null).length;
  const organization = scores?.graded?.organizationScore ?? scores?.organization?.score ?? null;
  return (
    <dl className="facts figures">
      <Figure label="Objectives" value={objectives.length} />
      <Figure label="Met their expectation" value={objectives.filter(expectationMet).length} />
      <Figure label="Scored" value={scored} />
      <Figure label="Not scored yet" value={objectives.length - scored} />
      <Figure label="Organization score" value={grade(organization)} />
      <Figure
        label="Final grades"
        value={
          scores?.graded ? `frozen ${dateFormat.format(new Date(scores.graded.gradedAt))}` : "not frozen yet"
        }
      />
    </dl>
  );
}

function KindsTable({ objectives }: { objectives: TreeNode[] }) {
  return (
    <section aria-labelledby="kinds-title">
      <h2 id="kinds-title">Committed and aspirational</h2>
      <ScrollTable columns={["Kind", "Objectives", "Scored", "Met", "Mean grade", "Expected grade"]}>
        {figuresByKind(objectives).map((row) => (
          <tr key={row.kind}>
            <th scope="row">{row.kind}</th>
            <td>{row.objectives}</td>
            <td>{row.scored}</td>
            <td>{row.met}</td>
            <td>{grade(row.meanGrade)}</td>
            <td>{EXPECTED_GRADE[row.kind].toFixed(1)}</td>
          </tr>
        ))}
      </ScrollTable>
    </section>
  );
}

function GradeDistribution({ objectives }: { objectives: TreeNode[] }) {
  const bins = gradeDistribution(objectives);
  const most = Math.max(1, ...bins.map((bin) => bin.count));
  return (
    <section aria-labelledby="grades-title">
      <h2 id="grades-title">Grade distribution</h2>
      <ScrollTable columns={["Grade", "Objectives"]} className="distribution">
        {bins.map((bin) => (
          <tr key={String(bin.grade)}>
            <th scope="row">{grade(bin.grade)}</th>
            <td>
              <div className="bar-cell">
                <span className="bar-count">{bin.count}</span>
                <span className="bar" aria-hidden="true" style={{ width: `${(bin.count / most) * 100}%` }} />
              </div>
            </td>
          </tr>
        ))}
      </ScrollTable>
    </section>
  );
}

function Discipline({ cycleId, scores }: { cycleId: string; scores: CycleScores | null }) {
  const status = useQuery({
    queryKey: ["check-in-status", cycleId],
    queryFn: () => api.get<CheckInStatus>(`/cycles/${encodeURIComponent(cycleId)}/check-in-status`),
  });
  const teams = useTeams();
  const teamScore = new Map(scores?.teams.map((t) => [t.teamId, t.score]) ?? []);
  return (
    <section aria-labelledby="discipline-title">
      <h2 id="discipline-title">Check-in discipline per team</h2>
      <Loaded query={status} what="check-ins">
        {(data) => {
          const rows = disciplineByTeam(data, teams.data ?? []);
          if (rows.length === 0) return <Empty>No key results in this cycle yet.</Empty>;
          return (
            <ScrollTable columns={["Team", "Key results", "Checked in", "Latest check-in", "Team score"]}>
              {rows.map((row) => (
                <tr key={row.teamId ?? "none"}>
                  <th scope="row">{row.name}</th>
                  <td>{row.keyResults}</td>
                  <td>
                    {row.checkedIn} of {row.keyResults}
                  </td>
                  <td>{row.lastCheckInAt ? dateFormat.format(new Date(row.lastCheckInAt)) : "none"}</td>
                  <td>{grade(row.teamId ? (teamScore.get(row.teamId) ?? null) : null)}</td>
                </tr>
              ))}
            </ScrollTable>
          );
        }}
      </Loaded>
    </section>
  );
}

function CarriedInto({ next, objectives }: { next: Cycle; objectives: TreeNode[] }) {
  const nextTree = useQuery({ queryKey: ["alignment-tree", next.id], queryFn: () => treeOf(next.id) });
  return (
    <Loaded query={nextTree} what={`${next.name}'s key results`}>
      {(tree) => {
        const carried = carriedForward(objectives, objectivesOf(tree.roots));
        return carried.length === 0 ? (
          <Empty>{next.name} carries no key result of this cycle.</Empty>
        ) : (
          <ul className="carried">
            {carried.map((item) => (
              <li key={item.to.id}>
                {item.from.title} → <Link to={`/key-results/${item.to.id}`}>{item.to.title}</Link>{" "}
                <span className="muted">
                  in {next.name}, under “{item.to.objectiveTitle}”
                </span>
              </li>
            ))}
          </ul>
        );
      }}
    </Loaded>
  );
}

function CarriedForward({ cycleId, objectives }: { cycleId: string; objectives: TreeNode[] }) {
  const cycles = useCycles();
  return (
    <section aria-labelledby="carried-title">
      <h2 id="carried-title">Carried forward</h2>
      <Loaded query={cycles} what="cycles">
        {(list) => {
          const next = nextCycle(list, cycleId);
          return next ? (
            <CarriedInto next={next} objectives={objectives} />
          ) : (
            <Empty>No later cycle yet: nothing has been carried forward.</Empty>
          );
        }}
      </Loaded>
    </section>
  );
}

/** The quarter's report: how the cycle's objectives did, how teams checked in, what carries on. */
export function CycleReportPage({ cycleId }: { cycleId: string }) {
  const tree = useQuery({ queryKey: ["alignment-tree", cycleId], queryFn: () => treeOf(cycleId) });
  const scores = useQuery({ queryKey: ["cycle-scores", cycleId], queryFn: () => cycleScores(cycleId) });
  return (
    <Loaded query={tree} what="the cycle's objectives">
      {(data) => {
        const objectives = objectivesOf(data.roots);
        return (
          <section aria-labelledby="report-title" className="report">
            <p>
              <Link to={`/cycles/${cycleId}`}>← Back to the OKR tree</Link>
            </p>
            <h1 id="report-title">{data.cycleName}: quarter report</h1>
            <p>
              <a className="button" href={`/exports/cycles/${encodeURIComponent(cycleId)}/okrs.csv`} download>
                Download objectives, key results and check-ins (CSV)
              </a>
            </p>
            <Loaded query={scores} what="scores">
              {(figures) => (
                <>
                  <Headline objectives={objectives} scores={figures} />
                  {objectives.length === 0 ? (
                    <Empty>No objectives in this cycle yet.</Empty>
                  ) : (
                    <>
                      <KindsTable objectives={objectives} />
                      <GradeDistribution objectives={objectives} />
                    </>
                  )}
                  <Discipline cycleId={cycleId} scores={figures} />
                </>
              )}
            </Loaded>
            <CarriedForward cycleId={cycleId} objectives={objectives} />
          </section>
        );
      }}
    </Loaded>
  );
}
