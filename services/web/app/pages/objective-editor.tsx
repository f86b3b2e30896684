import {
  checkKeyResultCountOnAdd,
  checkKeyResultCountOnSubmit,
  checkObjectiveCountOnCreate,
  type OkrPolicy,
  type RuleViolation,
} from "@okr/goals-domain";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, type Objective, ProblemError } from "../api.ts";
import { TextAreaField } from "../components/field.tsx";
import { KeyResultFields } from "../components/key-result-fields.tsx";
import { Loaded, Refused } from "../components/states.tsx";
import { bodyOf, draftOf, type KeyResultDraft, lintOf, newDraft } from "../key-result-draft.ts";
import { useObjectives, usePolicy, useRefreshObjectives, useTeam } from "../queries.ts";
import { Link, useLocation } from "../router.tsx";

/** Where the objective hangs in the cascade, as the form's one select holds it. */
const linkValue = (o: Pick<Objective, "alignedToObjectiveId" | "contributesToKeyResultId">) =>
  o.alignedToObjectiveId
    ? `objective:${o.alignedToObjectiveId}`
    : o.contributesToKeyResultId
      ? `key-result:${o.contributesToKeyResultId}`
      : "";
const linkBody = (value: string) => ({
  alignedToObjectiveId: value.startsWith("objective:") ? value.slice("objective:".length) : null,
  contributesToKeyResultId: value.startsWith("key-result:") ? value.slice("key-result:".length) : null,
});

const said = (v: Pick<RuleViolation, "message" | "hint">) =>
  v.hint ? `${v.message} (${v.hint})` : v.message;

export function NewObjectivePage({ cycleId, teamId }: { cycleId: string; teamId: string }) {
  return <ObjectiveEditor cycleId={cycleId} teamId={teamId} />;
}

export function EditObjectivePage({ objectiveId }: { objectiveId: string }) {
  const objective = useQuery({
    queryKey: ["objective", objectiveId],
    queryFn: () => api.get<Objective>(`/objectives/${encodeURIComponent(objectiveId)}`),
  });
  return (
    <Loaded query={objective} what="the objective">
      {(found) => <ObjectiveEditor cycleId={found.cycleId} teamId={found.owner.id} existing={found} />}
    </Loaded>
  );
}

function ObjectiveEditor(props: { cycleId: string; teamId: string; existing?: Objective }) {
  const team = useTeam(props.teamId);
  const policy = usePolicy();
  const objectives = useObjectives(props.cycleId);
  return (
    <Loaded query={team} what="the team">
      {(teamData) => (
        <Loaded query={policy} what="the OKR policy">
          {(policyData) => (
            <Loaded query={objectives} what="the cycle's objectives">
              {(all) => (
                <ObjectiveForm
                  {...props}
                  teamName={teamData.name}
                  parentTeamId={teamData.parentTeamId}
                  policy={policyData}
                  cycleObjectives={all}
                />
              )}
            </Loaded>
          )}
        </Loaded>
      )}
    </Loaded>
  );
}

function ObjectiveForm({
  cycleId,
  teamId,
  teamName,
  parentTeamId,
  existing,
  policy,
  cycleObjectives,
}: {
  cycleId: string;
  teamId: string;
  teamName: string;
  parentTeamId: string | null;
  existing?: Objective;
  policy: OkrPolicy;
  cycleObjectives: Objective[];
}) {
  const { navigate } = useLocation();
  const refresh = useRefreshObjectives();
  const [title, setTitle] = useState(existing?.title ?? "");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [kind, setKind] = useState(existing?.kind ?? "committed");
  const [link, setLink] = useState(existing ? linkValue(existing) : "");
  const [drafts, setDrafts] = useState<KeyResultDraft[]>(() =>
    existing ? existing.keyResults.map(draftOf) : [newDraft(), newDraft()],
  );
  const [blocked, setBlocked] = useState(false);
  const teamPage = `/cycles/${cycleId}/teams/${teamId}/objectives`;

  // The layer above first: its objectives are what this team's usually align to.
  const candidates = cycleObjectives
    .filter((o) => o.id !== existing?.id && !(o.owner.kind === "team" && o.owner.id === teamId))
    .sort((a, b) => Number(b.owner.id === parentTeamId) - Number(a.owner.id === parentTeamId));
  const ownCount = cycleObjectives.filter((o) => o.owner.kind === "team" && o.owner.id === teamId).length;
  const objectiveLimit = existing ? [] : checkObjectiveCountOnCreate(policy, ownCount).errors;
  const krCount = checkKeyResultCountOnSubmit(policy, drafts.length);
  const canAdd = checkKeyResultCountOnAdd(policy, drafts.length).errors.length === 0;

  const save = useMutation({
    mutationFn: async () => {
      const objective = { title: title.trim(), description: description.trim(), kind, ...linkBody(link) };
      if (!existing) {
        const owner = { kind: "team", id: teamId };
        await api.post("/objectives", { cycleId, owner, ...objective, keyResults: drafts.map(bodyOf) });
        return;
      }
      await api.patch(`/objectives/${existing.id}`, objective);
      const kept = new Set(drafts.map((d) => d.id));
      for (const removed of existing.keyResults.filter((kr) => !kept.has(kr.id)))
        await api.delete(`/key-results/${removed.id}`);
      for (const draft of drafts)
        if (draft.id) await api.patch(`/key-results/${draft.id}`, bodyOf(draft));
        else await api.post(`/objectives/${existing.id}/key-results`, bodyOf(draft));
    },
    onSuccess: async () => {
      await refresh();
      navigate(teamPage);
    },
  });

  const problem = save.error;
  const fieldErrors = problem instanceof ProblemError ? problem.errors : [];
  // A new objective's key results are checked under /keyResults/<n>; a changed one's on its own path.
  const errorsOf = (index: number) =>
    fieldErrors
      .filter((e) => e.path.startsWith(`/keyResults/${index}/`))
      .map((e) => ({ ...e, path: e.path.slice(`/keyResults/${index}`.length) }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const touchedAll = drafts.map((d) => ({ ...d, touched: true }));
    setDrafts(touchedAll);
    const unmeasurable = touchedAll.some((d) => lintOf(d).length > 0);
    setBlocked(unmeasurable || !title.trim());
    if (!unmeasurable && title.trim()) save.mutate();
  };

  return (
    <form className="objective-form" onSubmit={onSubmit} aria-labelledby="editor-title" noValidate>
      <p>
        <Link to={teamPage}>← Back to {teamName}'s objectives</Link>
      </p>
      <h1 id="editor-title">{existing ? `Edit “${existing.title}”` : `New objective for ${teamName}`}</h1>
      {existing?.state === "returned" && existing.returnReason && (
        <p className="state note">
          <strong>Returned:</strong> {existing.returnReason}
        </p>
      )}
      {objectiveLimit.map((v) => (
        <p key={v.code} className="state error" role="alert">
          {said(v)}
        </p>
      ))}
      <div className="field">
        <label htmlFor="objective-title">Objective</label>
        <input
          id="objective-title"
          value={title}
          aria-invalid={(blocked && !title.trim()) || undefined}
          aria-describedby="objective-title-hint"
          onChange={(event) => setTitle(event.target.value)}
        />
        <p id="objective-title-hint" className="hint">
          What you want to achieve, in words that inspire: the key results below say how you will know.
        </p>
      </div>
      <TextAreaField
        id="objective-description"
        label="Why it matters"
        rows={2}
        value={description}
        onValue={setDescription}
      />
      <div className="field-row">
        <div className="field">
          <label htmlFor="objective-kind">Kind</label>
          <select
            id="objective-kind"
            value={kind}
            aria-describedby="objective-kind-hint"
            onChange={(event) => setKind(event.target.value)}
          >
            <option value="committed">Committed</option>
            <option value="aspirational">Aspirational</option>
          </select>
          <p id="objective-kind-hint" className="hint">
            Committed: delivered in full. Aspirational: a stretch.
          </p>
        </div>
        <div className="field grow">
          <label htmlFor="objective-link">Aligns to</label>
          <select id="objective-link" value={link} onChange={(event) => setLink(event.target.value)}>
            <option value="">Nothing above it (a top-level objective)</option>
            <optgroup label="Serves an objective">
              {candidates.map((o) => (
                <option key={o.id} value={`objective:${o.id}`}>
                  {o.title}
                </option>
              ))}
            </optgroup>
            <optgroup label="Takes ownership of a key result (contributes to it)">
              {candidates.flatMap((o) =>
                o.keyResults.map((kr) => (
                  <option key={kr.id} value={`key-result:${kr.id}`}>
                    {kr.title} (of {o.title})
                  </option>
                )),
              )}
            </optgroup>
          </select>
        </div>
      </div>
      <h2>Key results</h2>
      <p className="hint">
        Each one measurable: a number to reach, a line or band to hold, or milestones anyone can verify.
      </p>
      {[...krCount.errors, ...krCount.warnings].map((v) => (
        <p key={v.code} className="state note" role="status">
          {v.message}
        </p>
      ))}
      {drafts.map((draft, index) => (
        <KeyResultFields
          key={draft.key}
          draft={draft}
          index={index}
          serverErrors={errorsOf(index)}
          onChange={(changed) => setDrafts(drafts.map((d) => (d.key === draft.key ? changed : d)))}
          onRemove={() => setDrafts(drafts.filter((d) => d.key !== draft.key))}
        />
      ))}
      <button type="button" disabled={!canAdd} onClick={() => setDrafts([...drafts, newDraft()])}>
        Add a key result
      </button>
      {blocked && !save.isPending && !problem && (
        <p className="state error" role="alert">
          {title.trim()
            ? "Some key results cannot be measured yet: see the notes under them."
            : "Give the objective a title."}
        </p>
      )}
      <Refused error={problem} fallback="Saving failed" />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : existing ? "Save changes" : "Save draft"}
        </button>
        <Link to={teamPage} className="button">
          Cancel
        </Link>
      </div>
      {existing && (existing.state === "draft" || existing.state === "returned") && (
        <DeleteObjective objective={existing} done={teamPage} />
      )}
    </form>
  );
}

/** Deleting a draft asks once more, in the page: a confirm dialog would take the focus elsewhere. */
function DeleteObjective({ objective, done }: { objective: Objective; done: string }) {
  const { navigate } = useLocation();
  const refresh = useRefreshObjectives();
  const [asked, setAsked] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.delete(`/objectives/${objective.id}`),
    onSuccess: async () => {
      await refresh();
      navigate(done);
    },
  });
  return (
    <div className="danger-zone">
      {asked ? (
        <>
          <p role="alert">Delete “{objective.title}” and its key results for good?</p>
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Yes, delete it
            </button>
            <button type="button" onClick={() => setAsked(false)}>
              Keep it
            </button>
          </div>
        </>
      ) : (
        <button type="button" onClick={() => setAsked(true)}>
          Delete this objective
        </button>
      )}
      <Refused error={remove.error} fallback="Deleting failed" />
    </div>
  );
}
