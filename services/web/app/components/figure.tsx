import type { ReactNode } from "react";

/** A labelled figure of a facts list (`dl.facts`), with what it means under it where that needs saying. */
export function Figure({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {value}
        {hint && <span className="figure-hint">{hint}</span>}
      </dd>
    </div>
  );
}
