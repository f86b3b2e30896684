import { relativeTo } from "../relative-time.ts";

const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * When an item is due, relative and absolute; a missed deadline says "Overdue" in words (and is styled
 * as an error too), so it does not rest on colour alone.
 */
export function Deadline({ dueAt, now = Date.now() }: { dueAt: string; now?: number }) {
  const at = Date.parse(dueAt);
  const overdue = at < now;
  return (
    <span className={overdue ? "deadline error-text" : "deadline muted"}>
      {overdue ? <strong>Overdue: </strong> : null}
      {overdue ? "was due " : "due "}
      {relativeTo(at, now)} (<time dateTime={dueAt}>{absolute.format(new Date(at))}</time>)
    </span>
  );
}
