import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, type CheckIn, type KeyResult } from "../api.ts";
import { Refused } from "../components/states.tsx";

/**
 * Value, confidence, evidence link and note. The goals service decides what is valid (evidence
 * required, the cycle open, the value a number): its problem detail is shown next to the form.
 */
export function CheckInForm({ keyResult }: { keyResult: KeyResult }) {
  const client = useQueryClient();
  const [value, setValue] = useState("");
  const [confidence, setConfidence] = useState("70");
  const [evidenceUrl, setEvidenceUrl] = useState("");
  const [note, setNote] = useState("");
  const [saved, setSaved] = useState(false);
  const submit = useMutation({
    mutationFn: () =>
      api.post<CheckIn>(`/key-results/${encodeURIComponent(keyResult.id)}/check-ins`, {
        value: Number(value),
        confidence: Number(confidence) / 100,
        evidence: evidenceUrl.trim() ? { url: evidenceUrl.trim() } : {},
        ...(note.trim() ? { note: note.trim() } : {}),
      }),
    onSuccess: async () => {
      setValue("");
      setNote("");
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
    submit.mutate();
  };
  const problem = submit.error;
  return (
    <form className="check-in" onSubmit={onSubmit} aria-labelledby="check-in-title" noValidate>
      <h2 id="check-in-title">Check in</h2>
      <div className="field">
        <label htmlFor="check-in-value">Value ({keyResult.unit || "number"})</label>
        <input
          id="check-in-value"
          type="number"
          inputMode="decimal"
          step="any"
          required
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
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
          value={confidence}
          onChange={(event) => setConfidence(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="check-in-evidence">Evidence link</label>
        <input
          id="check-in-evidence"
          type="url"
          inputMode="url"
          placeholder="https://"
          aria-describedby="check-in-evidence-hint"
          value={evidenceUrl}
          onChange={(event) => setEvidenceUrl(event.target.value)}
        />
        <p id="check-in-evidence-hint" className="hint">
          Where the value can be checked: {keyResult.evidence.description || "a dashboard, report or ticket"}.
        </p>
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
