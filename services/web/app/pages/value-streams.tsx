import { useQuery } from "@tanstack/react-query";
import { allPages, type ProductFamily, type ValueStream } from "../api.ts";
import { minutes } from "../components/flow.tsx";
import { LoadedList } from "../components/states.tsx";
import { Link } from "../router.tsx";

/** The organization's value streams, grouped by the product family each serves. */
export function ValueStreamsPage() {
  const streams = useQuery({
    queryKey: ["value-streams"],
    queryFn: () => allPages<ValueStream>("/value-stream/streams"),
  });
  const families = useQuery({
    queryKey: ["product-families"],
    queryFn: () => allPages<ProductFamily>("/value-stream/product-families"),
  });
  return (
    <section aria-labelledby="streams-title">
      <h1 id="streams-title">Value streams</h1>
      <LoadedList
        query={streams}
        what="value streams"
        empty="No value streams yet. A leader maps the first one through the value-stream API."
      >
        {(list) => <StreamList streams={list} families={families.data ?? []} />}
      </LoadedList>
    </section>
  );
}

function StreamList({ streams, families }: { streams: ValueStream[]; families: ProductFamily[] }) {
  const familyOf = new Map(families.map((family) => [family.id, family]));
  const familyIds = [...new Set(streams.map((stream) => stream.familyId))];
  return (
    <>
      {familyIds.map((familyId) => {
        const family = familyOf.get(familyId);
        return (
          <section key={familyId} aria-label={family ? `Product family ${family.name}` : "Product family"}>
            <h2>{family?.name ?? "Product family"}</h2>
            {family && (
              <p className="muted">
                For {family.customer}: {family.valueStatement}
              </p>
            )}
            <ul className="cards">
              {streams
                .filter((stream) => stream.familyId === familyId)
                .map((stream) => (
                  <li key={stream.id} className="card">
                    <Link to={`/value-streams/${stream.id}`}>{stream.name}</Link>
                    <span className="muted">
                      demand {stream.dailyDemand} a day · takt {minutes(stream.taktTimeMinutes)}
                    </span>
                    <span className="badge">
                      {stream.maps.length === 1 ? "1 map" : `${stream.maps.length} maps`}
                    </span>
                  </li>
                ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}
