import { useQuery } from "@tanstack/react-query";
import { allPages, type CheckIn, type KeyResult } from "../api.ts";
import { Figure } from "../components/figure.tsx";
import { KeyResultChart } from "../components/kr-chart.tsx";
import { aim, measured, percent, ScoreChip } from "../components/score.tsx";
import { ScrollTable } from "../components/scroll-table.tsx";
import { Empty, Loaded } from "../components/states.tsx";
import { keyResultQuery, useCycle } from "../queries.ts";
import { Link } from "../router.tsx";
import { CheckInForm } from "./check-in-form.tsx";

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function History({ keyResult }: { keyResult: KeyResult }) {
  const history = useQuery({
    queryKey: ["check-ins", keyResult.id],
    queryFn: () => allPages<CheckIn>(`/key-results/${encodeURIComponent(keyResult.id)}/check-ins`),
  });
  // The cycle gives the chart its pace; without it (not readable) the chart shows the values alone.
  const cycle = useCycle(keyResult.cycleId);
  return (
    <Loaded query={history} what="check-ins">
      {(checkIns) => (
        <>
          {!cycle.isPending && (
            <KeyResultChart keyResult={keyResult} checkIns={checkIns} cycle={cycle.data ?? null} />
          )}
          <HistoryTable checkIns={checkIns} unit={keyResult.unit} />
        </>
      )}
    </Loaded>
  );
}

function HistoryTable({ checkIns, unit }: { checkIns: CheckIn[]; unit: string }) {
  if (checkIns.length === 0) return <Empty>No check-ins yet. The first one starts the history.</Empty>;
  return (
    <ScrollTable columns={["When", "Value", "Confidence", "Note"]} caption="Check-ins, newest first">
      {[...checkIns].reverse().map((checkIn) => (
        <tr key={checkIn.id}>
          <td>{when.format(new Date(checkIn.recordedAt))}</td>
          <td>
            {checkIn.value} {unit}
          </td>
          <td>{percent(checkIn.confidence)}</td>
          <td>
            {checkIn.note}
            {checkIn.evidence.url && (
              <>
                {" "}
                <a href={checkIn.evidence.url} rel="noreferrer noopener" target="_blank">
                  evidence
                </a>
              </>
            )}
          </td>
        </tr>
      ))}
    </ScrollTable>
  );
}

export function KeyResultPage({ keyResultId }: { keyResultId: string }) {
  const kr = useQuery(keyResultQuery(keyResultId));
  return (
    <Loaded query={kr} what="the key result">
      {(keyResult) => <KeyResultView keyResult={keyResult} />}
    </Loaded>
  );
}

function KeyResultView({ keyResult }: { keyResult: KeyResult }) {
  return (
    <section aria-labelledby="kr-title">
      <p>
        <Link to={`/cycles/${keyResult.cycleId}`}>← Back to the OKR tree</Link>
      </p>
      <h1 id="kr-title">{keyResult.title}</h1>
      <dl className="facts">
        <Figure label="Aim" value={aim(keyResult)} />
        <Figure label="Latest" value={measured(keyResult.latestValue, keyResult.unit)} />
        <Figure label="Confidence" value={percent(keyResult.latestConfidence)} />
        <Figure label="Score" value={<ScoreChip score={keyResult.score} />} />
      </dl>
      <div className="kr-columns">
        <CheckInForm keyResult={keyResult} />
        <section aria-labelledby="history-title">
          <h2 id="history-title">Check-in history</h2>
          <History keyResult={keyResult} />
        </section>
      </div>
    </section>
  );
}
