import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { mayPassOnRetry, ProblemError } from "../api.ts";
import { Link } from "../router.tsx";

/** The three states every page can be in besides showing its data, alike everywhere. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const problem = error instanceof ProblemError ? error : undefined;
  return (
    <div className="state error" role="alert">
      <p>
        <strong>{problem?.title ?? "Something went wrong"}</strong>
        {": "}
        {error instanceof Error ? error.message : String(error)}
      </p>
      {retry && mayPassOnRetry(error) ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : (
        <Link to="/">Back to my work</Link>
      )}
    </div>
  );
}

/** A write the service refused: its problem's title and detail (goals' 422 names the rule and the fix). */
export function Refused({ error, fallback }: { error: Error | null; fallback: string }) {
  if (!error) return null;
  return (
    <div className="state error" role="alert">
      <strong>{error instanceof ProblemError ? error.title : fallback}</strong>
      <p>{error.message}</p>
    </div>
  );
}

/** A query's data once it is there; until then its loading state, or its error with a way to retry. */
export function Loaded<T>({
  query,
  what,
  children,
}: {
  query: UseQueryResult<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

/** A query's list once it is there, as `children` draw it, or `empty` in words when the list has nothing. */
export function LoadedList<T>({
  query,
  what,
  empty,
  children,
}: {
  query: UseQueryResult<T[]>;
  what: string;
  empty: ReactNode;
  children: (list: T[]) => ReactNode;
}) {
  return (
    <Loaded query={query} what={what}>
      {(list) => (list.length === 0 ? <Empty>{empty}</Empty> : children(list))}
    </Loaded>
  );
}
