import type { RuleViolation } from "@okr/goals-domain";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, type CheckIn, type KeyResult } from "../api.ts";
import { checkInBody, isAcceptable, judgeCheckIn } from "../check-in-draft.ts";
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
  const milestones = keyResult.type === "milestone";
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
      <div className="field">
        <label htmlFor="check-in-value">
          {milestones
            ? `Milestones done (of ${keyResult.milestones.length})`
            : `Value (${keyResult.unit || "number"})`}
        </label>
        <input
          id="check-in-value"
          type="number"
          inputMode={milestones ? "numeric" : "decimal"}
          step={milestones ? 1 : "any"}
          min={milestones ? 0 : undefined}
          max={milestones ? keyResult.milestones.length : undefined}
          required
          aria-invalid={shown("value").length > 0 || undefined}
          aria-describedby={shown("value").length > 0 ? "check-in-value-rule" : undefined}
          value={value}
          onChange={(event) => {
            setValue(event.target.value);
            touch("value");
          }}
        />
        <Broken id="check-in-value-rule" violations={shown("value")} />
      </div>
      <div className="field">
        <label htmlFor="check-in-confidence">Confidence (%)</label>
        <input
          id="check-in-confidence"
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          step={5}
          required
          aria-invalid={shown("confidence").length > 0 || undefined}
          aria-describedby={shown("confidence").length > 0 ? "check-in-confidence-rule" : undefined}
          value={confidence}
          onChange={(event) => {
            setConfidence(event.target.value);
            touch("confidence");
          }}
        />
        <Broken id="check-in-confidence-rule" violations={shown("confidence")} />
      </div>
      <div className="field">
        <label htmlFor="check-in-evidence">Evidence link</label>
        <input
          id="check-in-evidence"
          type="url"
          inputMode="url"
          placeholder="https://"
          required
          aria-invalid={shown("evidence").length > 0 || undefined}
          aria-describedby={`check-in-evidence-hint${shown("evidence").length > 0 ? " check-in-evidence-rule" : ""}`}
          value={evidenceUrl}
          onChange={(event) => {
            setEvidenceUrl(event.target.value);
            touch("evidence");
          }}
        />
        <p id="check-in-evidence-hint" className="hint">
          Required. Where the value can be checked:{" "}
          {keyResult.evidence.description || "a dashboard, report or ticket"}.
        </p>
        <Broken id="check-in-evidence-rule" violations={shown("evidence")} />
      </div>
      <div className="field">
        <label htmlFor="check-in-note">Note</label>
        <textarea
          id="check-in-note"
          rows={3}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
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
