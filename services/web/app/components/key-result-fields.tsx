import {
  type EvidenceKind,
  KEY_RESULT_TYPES,
  type KeyResultType,
  type RuleViolation,
} from "@okr/goals-domain";
import { type ChangeEvent, useId } from "react";
import { fieldsOf, type KeyResultDraft, lintOf } from "../key-result-draft.ts";

const TYPE_LABELS: Record<KeyResultType, string> = {
  "increase-to": "Increase to",
  "decrease-to": "Decrease to",
  "stay-above": "Stay above",
  "stay-below": "Stay below",
  "stay-between": "Stay within",
  milestone: "Milestones",
};

/** One key result's fields, the ones its type measures by, and what the rules say about it so far. */
export function KeyResultFields({
  draft,
  index,
  serverErrors,
  onChange,
  onRemove,
}: {
  draft: KeyResultDraft;
  index: number;
  /** The service's 422 errors about this key result, paths relative to it (`/target`). */
  serverErrors: RuleViolation[];
  onChange: (draft: KeyResultDraft) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const lint = lintOf(draft);
  const problems = [...lint, ...serverErrors.filter((e) => !lint.some((l) => l.message === e.message))];
  const fields = fieldsOf(draft.type);
  const set = (change: Partial<KeyResultDraft>) => onChange({ ...draft, ...change, touched: true });
  const invalid = (path: string) => problems.some((p) => p.path === path) || undefined;
  const lintId = `${id}-lint`;
  // A field the rules check: its draft value, marked when a problem names it, described by the list.
  const linted = (field: "title" | "baseline" | "target" | "bandLow" | "bandHigh" | "milestones") => ({
    id: `${id}-${field}`,
    value: draft[field],
    "aria-invalid": invalid(`/${field}`),
    "aria-describedby": lintId,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      set({ [field]: event.target.value }),
  });
  const number = (field: "baseline" | "target" | "bandLow" | "bandHigh", label: string) => (
    <div className="field">
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <input type="number" inputMode="decimal" step="any" {...linted(field)} />
    </div>
  );
  return (
    <fieldset className="kr-fields">
      <legend>Key result {index + 1}</legend>
      <div className="field">
        <label htmlFor={`${id}-title`}>Key result title</label>
        <input {...linted("title")} />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-type`}>Measured as</label>
          <select
            id={`${id}-type`}
            value={draft.type}
            onChange={(event) => set({ type: event.target.value as KeyResultType })}
          >
            {KEY_RESULT_TYPES.map((type) => (
              <option key={type} value={type}>
                {TYPE_LABELS[type]}
              </option>
            ))}
          </select>
        </div>
        {fields.includes("baseline") && number("baseline", "Baseline")}
        {fields.includes("target") && number("target", fields.includes("baseline") ? "Target" : "Line")}
        {fields.includes("band") && number("bandLow", "Band low")}
        {fields.includes("band") && number("bandHigh", "Band high")}
        {!fields.includes("milestones") && (
          <div className="field">
            <label htmlFor={`${id}-unit`}>Unit</label>
            <input
              id={`${id}-unit`}
              value={draft.unit}
              placeholder="%, days, €"
              onChange={(event) => set({ unit: event.target.value })}
            />
          </div>
        )}
      </div>
      {fields.includes("milestones") && (
        <div className="field">
          <label htmlFor={`${id}-milestones`}>Milestones (one per line)</label>
          <textarea rows={3} {...linted("milestones")} />
        </div>
      )}
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-evidence`}>Check-ins prove it with</label>
          <select
            id={`${id}-evidence`}
            value={draft.evidenceKind}
            onChange={(event) => set({ evidenceKind: event.target.value as EvidenceKind })}
          >
            <option value="any">a link or a system source</option>
            <option value="url">a link a person can open</option>
            <option value="system">a system source</option>
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={`${id}-evidence-description`}>What the evidence shows</label>
          <input
            id={`${id}-evidence-description`}
            value={draft.evidenceDescription}
            onChange={(event) => set({ evidenceDescription: event.target.value })}
          />
        </div>
      </div>
      <div id={lintId} aria-live="polite">
        {problems.length > 0 && (
          <div className="lint">
            <ul>
              {problems.map((problem) => (
                <li key={`${problem.code}${problem.path}${problem.message}`}>{problem.message}</li>
              ))}
            </ul>
            {/* The rule gives the same advice for each missing number: say it once. */}
            {[...new Set(problems.flatMap((p) => (p.hint ? [p.hint] : [])))].map((hint) => (
              <p key={hint} className="fix">
                How to fix it: {hint}.
              </p>
            ))}
          </div>
        )}
      </div>
      <button type="button" onClick={onRemove}>
        Remove key result {index + 1}
      </button>
    </fieldset>
  );
}
