import type { RuleViolation } from "@okr/goals-domain";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type InputHTMLAttributes, type ReactNode, useState } from "react";
import { api, type CheckIn, type KeyResult } from "../api.ts";
import { checkInBody, isAcceptable, judgeCheckIn } from "../check-in-draft.ts";
import { TextAreaField } from "../components/field.tsx";
import { Refused } from "../components/states.tsx";
import { useCycle } from "../queries.ts";

/** A field's rule answers under it, with how to fix them (goals-domain's hints). */
function Broken({ id, violations }: { id: string; violations: RuleViolation[] }) {
  if (violations.length === 0) return null;
  return (
    <p id={id} className="hint error-text">
      {violations.map((v) => (v.hint ? `${v.message} (${v.hint})` : v.message)).join("; ")}.
    </p>
  );
}

/**
 * A required input checked as it is typed: marked invalid and described by its rule answers while a rule is
 * broken, and by its `hint` (shown under it) always.
 */
function RuledInput({
  id,
  label,
  hint,
  violations,
  onValue,
  ...input
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  violations: RuleViolation[];
  onValue: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "onChange">) {
  const broken = violations.length > 0;
  const describedBy = [hint ? `${id}-hint` : "", broken ? `${id}-rule` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        required
        aria-invalid={broken || undefined}
        aria-describedby={describedBy || undefined}
        onChange={(event) => onValue(event.target.value)}
        {...input}
      />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <Broken id={`${id}-rule`} violations={violations} />
    </div>
  );
}

/**
 * Value (milestones done for a milestone key result), confidence, evidence link and note, checked as
 * they are typed by the rule the goals service runs (goals-domain's validateCheckIn): evidence the key
 * result asks for, a number, a cycle that still takes check-ins. Nothing is sent while a rule is
 * broken; what only the service decides comes back as its problem, shown next to the form.
 */
export function CheckInForm({ keyResult }: { keyResult: KeyResult }) {
  const client = useQueryClient();
  const cycle = useCycle(keyResult.cycleId);
  const [value, setValue] = useState("");
  const [confidence, setConfidence] = useState("70");
  const [evidenceUrl, setEvidenceUrl] = useState("");
  const [note, setNote] = useState("");
  const [saved, setSaved] = useState(false);
  // Answers wait until a field was typed in or a save was tried, so a fresh form does not open with errors.
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const draft = { value, confidencePercent: confidence, evidenceUrl, note };
  const verdict = judgeCheckIn(draft, keyResult, cycle.data ?? null, new Date());
  const shown = (field: keyof typeof verdict) => (touched[field] || touched.all ? verdict[field] : []);
  const touch = (field: string) => setTouched((before) => ({ ...before, [field]: true }));
  // What each checked field shares: its id, its rule answers, and that typing in it lets them show.
  const ruled = (
    field: "value" | "confidence" | "evidence",
    current: string,
    set: (typed: string) => void,
  ) => ({
    id: `check-in-${field}`,
    violations: shown(field),
    value: current,
    onValue: (typed: string) => {
      set(typed);
      touch(field);
    },
  });
  const milestones = keyResult.type === "milestone";
  const evidenceShows = keyResult.evidence.description || "a dashboard, report or ticket";
  const submit = useMutation({
    mutationFn: () =>
      api.post<CheckIn>(
        `/key-results/${encodeURIComponent(keyResult.id)}/check-ins`,
        checkInBody(draft, keyResult),
      ),
    onSuccess: async () => {
      setValue("");
      setNote("");
      setTouched({});
      setSaved(true);
      await Promise.all([
        client.invalidateQueries({ queryKey: ["check-ins", keyResult.id] }),
        client.invalidateQueries({ queryKey: ["key-result", keyResult.id] }),
        client.invalidateQueries({ queryKey: ["alignment-tree", keyResult.cycleId] }),
      ]);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    touch("all");
    if (isAcceptable(verdict)) submit.mutate();
  };
  const problem = submit.error;
  return (
    <form className="check-in" onSubmit={onSubmit} aria-labelledby="check-in-title" noValidate>
      <h2 id="check-in-title">Check in</h2>
      {shown("general").map((v) => (
        <p key={v.code} className="state note" role="status">
          {v.message}
        </p>
      ))}
      <RuledInput
        {...ruled("value", value, setValue)}
        label={
          milestones
            ? `Milestones done (of ${keyResult.milestones.length})`
            : `Value (${keyResult.unit || "number"})`
        }
        type="number"
        inputMode={milestones ? "numeric" : "decimal"}
        step={milestones ? 1 : "any"}
        min={milestones ? 0 : undefined}
        max={milestones ? keyResult.milestones.length : undefined}
      />
      <RuledInput
        {...ruled("confidence", confidence, setConfidence)}
        label="Confidence (%)"
        type="number"
        inputMode="numeric"
        min={0}
        max={100}
        step={5}
      />
      <RuledInput
        {...ruled("evidence", evidenceUrl, setEvidenceUrl)}
        label="Evidence link"
        hint={`Required. Where the value can be checked: ${evidenceShows}.`}
        type="url"
        inputMode="url"
        placeholder="https://"
      />
      <TextAreaField id="check-in-note" label="Note" rows={3} value={note} onValue={setNote} />
      <Refused error={problem} fallback="The check-in failed" />
      {saved && !submit.isPending && (
        <p className="state ok" role="status">
          Check-in saved.
        </p>
      )}
      <button type="submit" className="primary" disabled={submit.isPending}>
        {submit.isPending ? "Saving…" : "Save check-in"}
      </button>
    </form>
  );
}
