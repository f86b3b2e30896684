import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { api, type CycleRun } from "../api.ts";
import { nextPhase, phaseName } from "./phases.ts";
import { SendButton } from "./send-button.tsx";
import { Refused } from "./states.tsx";

type Action = "pause" | "resume" | "advance" | "extend-deadline";

interface ActionText {
  /** The button that opens the confirmation. */
  open: string;
  question: string;
  consequence: string;
  confirm: string;
  done: string;
}

function textOf(action: Action, run: CycleRun): ActionText {
  const next = phaseName(nextPhase(run.phase) ?? run.phase);
  switch (action) {
    case "pause":
      return {
        open: "Pause the cycle",
        question: "Pause the cycle?",
        consequence:
          "No deadline runs out and no phase moves until an admin resumes it. Teams cannot submit or approve meanwhile.",
        confirm: "Yes, pause",
        done: "The cycle is paused.",
      };
    case "resume":
      return {
        open: "Resume the cycle",
        question: "Resume the cycle?",
        consequence: "Deadlines move on by the time the cycle was paused.",
        confirm: "Yes, resume",
        done: "The cycle runs again.",
      };
    case "advance":
      return {
        open: `Advance to ${next}`,
        question: `End ${phaseName(run.phase)} now and move to ${next}?`,
        consequence:
          run.phase === "SETTING" || run.phase === "CASCADE"
            ? "Open drafting closes as it is; teams whose drafting has not opened are skipped. This cannot be undone."
            : "The phase ends now, before its deadline. This cannot be undone.",
        confirm: `Yes, advance to ${next}`,
        done: `${phaseName(run.phase)} is ending: the timeline moves to ${next} as soon as the run has.`,
      };
    case "extend-deadline":
      return {
        open: "Extend the deadline",
        question: `Give ${phaseName(run.phase)} more time?`,
        consequence:
          "The phase's deadline, and that of any open team drafting, moves out by the hours below.",
        confirm: "Yes, extend",
        done: "The deadline moved out.",
      };
  }
}

/** A confirmation step as a modal dialog: Escape or Cancel closes it, nothing is sent until confirmed. */
function ConfirmDialog({
  cycleId,
  run,
  action,
  onDone,
  onClose,
}: {
  cycleId: string;
  run: CycleRun;
  action: Action;
  onDone: (run: CycleRun, message: string) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const text = textOf(action, run);
  const [reason, setReason] = useState("");
  const [hours, setHours] = useState("24");
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const send = useMutation({
    mutationFn: () => {
      const because = reason.trim() ? { reason: reason.trim() } : {};
      const body =
        action === "advance"
          ? { from: run.phase, ...because }
          : action === "extend-deadline"
            ? { seconds: Math.round(Number(hours) * 3600), ...because }
            : because;
      return api.post<CycleRun>(`/cycles/${encodeURIComponent(cycleId)}/run/${action}`, body);
    },
    onSuccess: (answer) => onDone(answer, text.done),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  return (
    <dialog ref={ref} className="confirm" aria-labelledby={`${id}-title`} onClose={onClose}>
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>{text.question}</h2>
        <p>{text.consequence}</p>
        {action === "extend-deadline" && (
          <div className="field">
            <label htmlFor={`${id}-hours`}>Extra time (hours)</label>
            <input
              id={`${id}-hours`}
              type="number"
              min={1}
              max={4320}
              step={1}
              required
              value={hours}
              onChange={(event) => setHours(event.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason (optional, kept in the run's history)</label>
          <input
            id={`${id}-reason`}
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        {send.isError && (
          <p className="state error" role="alert">
            {send.error instanceof Error ? send.error.message : String(send.error)}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={send.isPending}>
            {send.isPending ? "Sending…" : text.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The admin's controls of a run: each opens a confirmation; the answer (the run's new status) replaces the shown one. */
export function RunActions({ cycleId, run }: { cycleId: string; run: CycleRun }) {
  const client = useQueryClient();
  const [open, setOpen] = useState<Action | undefined>();
  // What the last action did, and the phase it was sent in: once an advance has moved the run, say where to.
  const [sent, setSent] = useState<{ text: string; phase: CycleRun["phase"] } | undefined>();
  const message =
    sent && sent.phase !== run.phase ? `The cycle moved on to ${phaseName(run.phase)}.` : (sent?.text ?? "");
  if (run.phase === "CLOSED")
    return <p className="muted">The cycle is closed: there is nothing left to steer.</p>;
  const actions: Action[] = [
    run.paused ? "resume" : "pause",
    "advance",
    ...(run.deadline ? (["extend-deadline"] as const) : []),
  ];
  return (
    <div>
      <div className="actions">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            onClick={() => {
              setSent(undefined);
              setOpen(action);
            }}
          >
            {textOf(action, run).open}…
          </button>
        ))}
      </div>
      <p role="status" className={message ? "state ok" : "visually-hidden"}>
        {message}
      </p>
      {open && (
        <ConfirmDialog
          cycleId={cycleId}
          run={run}
          action={open}
          onClose={() => setOpen(undefined)}
          onDone={(answer, done) => {
            client.setQueryData(["run", cycleId], answer);
            // An advance is answered before the run has moved: ask again now rather than at the next poll.
            void client.invalidateQueries({ queryKey: ["run", cycleId] });
            void client.invalidateQueries({ queryKey: ["run-teams", cycleId] });
            void client.invalidateQueries({ queryKey: ["cycles"] });
            setSent({ text: done, phase: run.phase });
            setOpen(undefined);
          }}
        />
      )}
    </div>
  );
}

/**
 * Starting a cycle's run (admins): the organization's program workflow queues it, and it begins once the
 * organization's earlier cycles have closed. A confirmation first, as for the other controls.
 */
export function StartRun({ cycleId }: { cycleId: string }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const start = useMutation({
    mutationFn: () => api.post<{ cycleWorkflowId: string }>(`/cycles/${encodeURIComponent(cycleId)}/run`, {}),
    onSuccess: () => {
      setConfirming(false);
      void client.invalidateQueries({ queryKey: ["run", cycleId] });
    },
  });
  if (start.isSuccess)
    return (
      <p className="state ok" role="status">
        The run is started. It begins as soon as the organization's earlier cycles have closed; this page
        follows it.
      </p>
    );
  return (
    <div>
      {confirming ? (
        <fieldset className="state note">
          <legend>Confirm starting the run</legend>
          <p>
            Start this cycle's run? The workflow then keeps its phases, deadlines and reminders; admins can
            pause, advance or extend it here.
          </p>
          <Refused error={start.error} fallback="Starting the run failed" />
          <div className="actions">
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <SendButton action={start} busy="Starting…">
              Yes, start the run
            </SendButton>
          </div>
        </fieldset>
      ) : (
        <button type="button" className="primary" onClick={() => setConfirming(true)}>
          Start the run…
        </button>
      )}
    </div>
  );
}
