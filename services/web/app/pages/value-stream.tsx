import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, type StreamMetrics, type ValueStream } from "../api.ts";
import { Figure } from "../components/figure.tsx";
import { count, minutes, rate, share, workingDays } from "../components/flow.tsx";
import { ScrollTable } from "../components/scroll-table.tsx";
import { Loaded } from "../components/states.tsx";
import { Link } from "../router.tsx";
import { KaizenBoard, MetricBindings, PullSignalsTable } from "./value-stream-board.tsx";
import "../streams.css";

const path = (streamId: string, rest = "") => `/value-stream/streams/${encodeURIComponent(streamId)}${rest}`;

/** The map as value-stream draws it (SVG): shown as an image, so nothing in it can run in this page. */
function MapPicture({ stream, metrics }: { stream: ValueStream; metrics?: StreamMetrics }) {
  const [failed, setFailed] = useState(false);
  const map = metrics?.map;
  const description = map
    ? `Value stream map of ${stream.name}: ${map.stepCount} steps, lead time ${workingDays(map.leadTimeDays)}, ` +
      `process time ${minutes(map.processTimeMinutes)}, flow efficiency ${share(map.flowEfficiency)}. ` +
      "The figures and steps are also listed below."
    : `Value stream map of ${stream.name}. Its figures are listed below.`;
  return (
    <figure className="stream-map">
      {failed ? (
        <p className="state error" role="alert">
          The map picture could not be loaded. Its figures are listed below.
        </p>
      ) : (
        // Scrolls sideways inside its box at phone width, so the page itself does not.
        <section
          className="map-scroll"
          aria-label="Value stream map, scrolls sideways"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must be reachable by keyboard.
          tabIndex={0}
        >
          <img src={`/api${path(stream.id, "/map.svg")}`} alt={description} onError={() => setFailed(true)} />
        </section>
      )}
      <figcaption className="muted">
        Current state, drawn as in “Learning to See”: process boxes with their data, inventory, and the
        timeline of waits and process times.
      </figcaption>
    </figure>
  );
}

function MapFigures({ metrics }: { metrics: StreamMetrics }) {
  const { map, flow } = metrics;
  return (
    <>
      <section aria-labelledby="map-figures">
        <h2 id="map-figures">From the map</h2>
        <dl className="facts figures">
          <Figure
            label="Lead time"
            value={workingDays(map.leadTimeDays)}
            hint={`${minutes(map.leadTimeMinutes)}`}
          />
          <Figure label="Process time" value={minutes(map.processTimeMinutes)} />
          <Figure label="Flow efficiency" value={share(map.flowEfficiency)} hint="process / lead time" />
          <Figure label="Takt time" value={minutes(map.taktTimeMinutes)} hint="available time / demand" />
          <Figure label="Rolled %C&A" value={share(map.rolledPercentCompleteAccurate)} />
          <Figure label="Wait time" value={workingDays(map.waitTimeDays)} />
        </dl>
      </section>
      <section aria-labelledby="flow-figures">
        <h2 id="flow-figures">From the work items</h2>
        <p className="muted">
          Over the last {count(flow.window.days)} days: items that entered and left the stream’s steps.
        </p>
        <dl className="facts figures">
          <Figure
            label="Throughput"
            value={`${rate(flow.throughput.perDay)} a day`}
            hint={`${flow.throughput.count} done`}
          />
          <Figure label="WIP" value={count(flow.wip.current)} hint={`average ${count(flow.wip.average)}`} />
          <Figure
            label="Flow time"
            value={minutes(flow.flowTime.p50Minutes)}
            hint={`median; 85th percentile ${minutes(flow.flowTime.p85Minutes)}`}
          />
          <Figure
            label="Lead time (measured)"
            value={minutes(flow.leadTime.p50Minutes)}
            hint={`median; 85th percentile ${minutes(flow.leadTime.p85Minutes)}`}
          />
          <Figure
            label="Flow efficiency (measured)"
            value={share(flow.flowEfficiency)}
            hint="active / flow time"
          />
        </dl>
      </section>
    </>
  );
}

/** The steps in words: what the map picture shows, for those who do not see it. */
function StepsTable({ metrics }: { metrics: StreamMetrics }) {
  return (
    <section aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      <ScrollTable
        columns={["Step", "Kind", "C/T", "Wait before", "%C&A", "Against takt"]}
        caption="The current-state map's steps, in flow order"
      >
        {metrics.map.steps.map((step) => (
          <tr key={step.stepId}>
            <th scope="row">{step.name}</th>
            <td>{step.classification.replaceAll("-", " ")}</td>
            <td>{minutes(step.processMinutes)}</td>
            <td>{workingDays(step.waitDays)}</td>
            <td>{share(step.percentCompleteAccurate)}</td>
            <td>{step.overTakt ? <span className="chip band-red">over takt</span> : "within takt"}</td>
          </tr>
        ))}
      </ScrollTable>
    </section>
  );
}

export function ValueStreamPage({ streamId }: { streamId: string }) {
  const stream = useQuery({
    queryKey: ["value-stream", streamId],
    queryFn: () => api.get<ValueStream>(path(streamId)),
  });
  const metrics = useQuery({
    queryKey: ["value-stream-metrics", streamId],
    queryFn: () => api.get<StreamMetrics>(path(streamId, "/metrics")),
  });
  return (
    <Loaded query={stream} what="the value stream">
      {(data) => (
        <section aria-labelledby="stream-title" className="stream">
          <p>
            <Link to="/value-streams">← All value streams</Link>
          </p>
          <h1 id="stream-title">{data.name}</h1>
          <p className="muted">
            Demand {data.dailyDemand} a day in {minutes(data.availableMinutesPerDay)} of working time · WIP
            policy:{" "}
            {data.wipPolicy === "reject"
              ? "moves over a limit are refused"
              : "moves over a limit are flagged"}
          </p>
          <MapPicture stream={data} metrics={metrics.data} />
          <Loaded query={metrics} what="the stream's figures">
            {(figures) => (
              <>
                <MapFigures metrics={figures} />
                <StepsTable metrics={figures} />
              </>
            )}
          </Loaded>
          <PullSignalsTable streamId={data.id} />
          <KaizenBoard streamId={data.id} />
          <MetricBindings streamId={data.id} />
        </section>
      )}
    </Loaded>
  );
}
