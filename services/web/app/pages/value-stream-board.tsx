import { useQueries, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { allPages, api, type Kaizen, type KeyResultBinding, type PullSignals } from "../api.ts";
import { ScrollTable } from "../components/scroll-table.tsx";
import { Empty, Loaded, LoadedList } from "../components/states.tsx";
import { keyResultQuery } from "../queries.ts";
import { Link } from "../router.tsx";

/** The value-stream page's lower half: pull signals, the kaizen board and the metrics key results track. */

const streamPath = (streamId: string, rest: string) =>
  `/value-stream/streams/${encodeURIComponent(streamId)}${rest}`;

export function PullSignalsTable({ streamId }: { streamId: string }) {
  const pull = useQuery({
    queryKey: ["value-stream-pull", streamId],
    queryFn: () => api.get<PullSignals>(streamPath(streamId, "/pull")),
  });
  return (
    <section aria-labelledby="pull-title">
      <h2 id="pull-title">Pull signals</h2>
      <Loaded query={pull} what="pull signals">
        {(board) =>
          board.steps.length === 0 ? (
            <Empty>The map has no steps yet.</Empty>
          ) : (
            <ScrollTable
              columns={["Step", "WIP", "Limit", "Signal", "Waiting upstream"]}
              caption="Each step's work in progress against its limit, and what waits upstream to be pulled"
            >
              {board.steps.map((step) => (
                <tr key={step.stepId}>
                  <th scope="row">{step.name}</th>
                  <td>{step.wip}</td>
                  <td>{step.wipLimit ?? "none"}</td>
                  <td>
                    {step.overLimit ? (
                      <span className="chip band-red">over its limit</span>
                    ) : step.capacity === null ? (
                      "no limit"
                    ) : step.capacity > 0 && step.waitingUpstream.length > 0 ? (
                      <span className="chip band-green">pull {step.capacity}</span>
                    ) : step.capacity > 0 ? (
                      `${step.capacity} free`
                    ) : (
                      "full"
                    )}
                  </td>
                  <td>{step.waitingUpstream.length}</td>
                </tr>
              ))}
            </ScrollTable>
          )
        }
      </Loaded>
    </section>
  );
}

const METRIC_NAMES: Record<string, string> = {
  "lead-time": "Lead time",
  "process-time": "Process time",
  "flow-efficiency": "Flow efficiency",
  "rolled-percent-complete-accurate": "Rolled %C&A",
  throughput: "Throughput",
  wip: "WIP",
  "flow-time-p85": "Flow time (85th percentile)",
};

const KAIZEN_COLUMNS = [
  { status: "planned", title: "Planned" },
  { status: "started", title: "Running" },
  { status: "completed", title: "Completed" },
] as const;

function KaizenCard({ kaizen }: { kaizen: Kaizen }) {
  return (
    <li className="kaizen">
      <h4>{kaizen.title}</h4>
      <p>
        <span className="muted">Target condition: </span>
        {kaizen.targetCondition}
      </p>
      <p className="muted">
        Succeeds when{" "}
        {kaizen.successCriteria
          .map(
            (c) =>
              `${METRIC_NAMES[c.metric] ?? c.metric} ${c.comparator === "at-most" ? "≤" : "≥"} ${c.target}`,
          )
          .join(" and ")}
      </p>
      {kaizen.succeeded !== null && (
        <span className={`chip ${kaizen.succeeded ? "band-green" : "band-red"}`}>
          {kaizen.succeeded ? "succeeded" : "did not succeed"}
        </span>
      )}
      {kaizen.keyResultId && <Link to={`/key-results/${kaizen.keyResultId}`}>Its key result</Link>}
    </li>
  );
}

/** The stream's lists this page shows, by the name of their resource under the stream, and their words. */
type StreamLists = { kaizens: Kaizen; bindings: KeyResultBinding };
const LIST_WORDS: Record<keyof StreamLists, { title: string; what: string; empty: string }> = {
  kaizens: {
    title: "Kaizen board",
    what: "improvement experiments",
    empty: "No improvement experiments yet.",
  },
  bindings: {
    title: "Key results measured here",
    what: "bound key results",
    empty: "No key result is bound to a metric of this stream.",
  },
};

/** One of the stream's lists under its heading, as `children` draw it, or in words that it is empty. */
function StreamListSection<K extends keyof StreamLists>({
  streamId,
  list,
  children,
}: {
  streamId: string;
  list: K;
  children: (items: StreamLists[K][]) => ReactNode;
}) {
  const { title, what, empty } = LIST_WORDS[list];
  const items = useQuery({
    queryKey: [`value-stream-${list}`, streamId],
    queryFn: () => allPages<StreamLists[K]>(streamPath(streamId, `/${list}`)),
  });
  return (
    <section aria-labelledby={`${list}-title`}>
      <h2 id={`${list}-title`}>{title}</h2>
      <LoadedList query={items} what={what} empty={empty}>
        {children}
      </LoadedList>
    </section>
  );
}

export function KaizenBoard({ streamId }: { streamId: string }) {
  return (
    <StreamListSection streamId={streamId} list="kaizens">
      {(list) => (
        <div className="kaizen-board">
          {KAIZEN_COLUMNS.map((column) => {
            const cards = list.filter((k) => k.status === column.status);
            return (
              <section key={column.status} aria-label={`${column.title} experiments`}>
                <h3>
                  {column.title} <span className="muted">({cards.length})</span>
                </h3>
                {cards.length === 0 ? (
                  <p className="muted">None.</p>
                ) : (
                  <ul className="kaizens">
                    {cards.map((kaizen) => (
                      <KaizenCard key={kaizen.id} kaizen={kaizen} />
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </div>
      )}
    </StreamListSection>
  );
}

function BindingsList({ bindings }: { bindings: KeyResultBinding[] }) {
  // Titles from goals; a key result this person cannot read (or since deleted) keeps a plain label.
  const titles = useQueries({
    queries: bindings.map((binding) => keyResultQuery(binding.keyResultId)),
  });
  return (
    <ul className="bindings">
      {bindings.map((binding, i) => (
        <li key={binding.id}>
          <strong>{METRIC_NAMES[binding.metric] ?? binding.metric}</strong>{" "}
          <span className="muted">
            ({binding.direction === "increase" ? "higher is better" : "lower is better"})
          </span>{" "}
          → <Link to={`/key-results/${binding.keyResultId}`}>{titles[i]?.data?.title ?? "a key result"}</Link>
        </li>
      ))}
    </ul>
  );
}

export function MetricBindings({ streamId }: { streamId: string }) {
  return (
    <StreamListSection streamId={streamId} list="bindings">
      {(list) => <BindingsList bindings={list} />}
    </StreamListSection>
  );
}
