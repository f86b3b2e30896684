import type { Cycle } from "../api.ts";
import { LoadedList } from "../components/states.tsx";
import { useCycles } from "../queries.ts";
import { Link } from "../router.tsx";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** The running cycle first (the one whose calendar holds today), then the others, newest first. */
function ordered(cycles: Cycle[], now = Date.now()): Cycle[] {
  const running = (c: Cycle) => Date.parse(c.startsAt) <= now && now < Date.parse(c.endsAt);
  return [...cycles].sort(
    (a, b) => Number(running(b)) - Number(running(a)) || Date.parse(b.startsAt) - Date.parse(a.startsAt),
  );
}

export function CyclesPage() {
  const cycles = useCycles();
  return (
    <section aria-labelledby="cycles-title">
      <h1 id="cycles-title">Cycles</h1>
      <LoadedList
        query={cycles}
        what="cycles"
        empty="Your organization has no cycles yet. An admin opens the first one."
      >
        {(list) => (
          <ul className="cards">
            {ordered(list).map((cycle) => (
              <li key={cycle.id} className="card">
                <Link to={`/cycles/${cycle.id}`}>{cycle.name}</Link>
                <span className="muted">
                  {dateFormat.format(new Date(cycle.startsAt))} – {dateFormat.format(new Date(cycle.endsAt))}
                </span>
                <span className="badge">{cycle.phase.replace("_", " ").toLowerCase()}</span>
              </li>
            ))}
          </ul>
        )}
      </LoadedList>
    </section>
  );
}
