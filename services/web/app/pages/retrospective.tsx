import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { api, type Cycle, type Objective, ProblemError, type Retrospective } from "../api.ts";
import { ScoreChip } from "../components/score.tsx";
import { Empty, Loaded, Refused } from "../components/states.tsx";
import { TeamInCycle } from "../components/team-in-cycle.tsx";
import { useCycles, useObjectives } from "../queries.ts";
import { nextCycle } from "../report-figures.ts";
import { Link } from "../router.tsx";

/** Retrospectives are written from CHECK_INS until the cycle closes (goals-domain's validateRetrospective). */
const WRITABLE = new Set(["CHECK_INS", "SCORING", "RETROSPECTIVE"]);

/** Below a full score a key result did not reach its aim: the candidates for carrying forward. */
const unfinished = (score: number | null) => score === null || score < 1;

const REFLECTIONS = [
  { name: "wentWell", label: "What went well", hint: "What the team should keep doing." },
  { name: "didNotGoWell", label: "What did not go well", hint: "What held the team back." },
  { name: "lessons", label: "Lessons", hint: "What the team learned and will do differently." },
] as const;
type Reflections = Record<(typeof REFLECTIONS)[number]["name"], string>;

const retrospectiveKey = (cycleId: string, teamId: string) => ["retrospective", cycleId, teamId];

function useRetrospective(cycleId: string, teamId: string) {
  return useQuery({
    queryKey: retrospectiveKey(cycleId, teamId),
    queryFn: async () => {
      const { items } = await api.get<{ items: Retrospective[] }>(
        `/cycles/${encodeURIComponent(cycleId)}/retrospectives?teamId=${encodeURIComponent(teamId)}`,
      );
      return items[0] ?? null;
    },
  });
}

/** The team's key results of the cycle as checkboxes, each with its score; unfinished ones say so. */
function CarryForwardChoices({
  objectives,
  chosen,
  onToggle,
}: {
  objectives: Objective[];
  chosen: ReadonlySet<string>;
  onToggle: (keyResultId: string) => void;
}) {
  const hintId = useId();
  const withKeyResults = objectives.filter((objective) => objective.keyResults.length > 0);
  return (
    <fieldset className="kr-fields carry-options" aria-describedby={hintId}>
      <legend>Carry forward to the next cycle</legend>
      <p id={hintId} className="hint">
        The key results to draft again in the next cycle, starting from where they ended. Unfinished ones of
        objectives that missed their expectation are carried anyway.
      </p>
      {withKeyResults.length === 0 ? (
        <Empty>The team has no key results in this cycle.</Empty>
      ) : (
        withKeyResults.map((objective) => (
          <div key={objective.id} className="carry-objective">
            <p className="carry-objective-title">{objective.title}</p>
            <ul className="carry-list">
              {objective.keyResults.map((kr) => (
                <li key={kr.id}>
                  <label>
                    <input type="checkbox" checked={chosen.has(kr.id)} onChange={() => onToggle(kr.id)} />
                    <span>{kr.title}</span>
                  </label>
                  <ScoreChip score={kr.score} />
                  {unfinished(kr.score) ? <span className="chip">unfinished</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
    </fieldset>
  );
}

/** The form, filled with the saved retrospective when there is one (a second save revises it). */
function RetrospectiveForm({
  cycleId,
  teamId,
  objectives,
  saved,
}: {
  cycleId: string;
  teamId: string;
  objectives: Objective[];
  saved: Retrospective | null;
}) {
  const id = useId();
  const client = useQueryClient();
  const [text, setText] = useState<Reflections>({
    wentWell: saved?.wentWell ?? "",
    didNotGoWell: saved?.didNotGoWell ?? "",
    lessons: saved?.lessons ?? "",
  });
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(saved?.carryForwardKeyResultIds));
  const save = useMutation({
    mutationFn: () =>
      api.post<Retrospective>(`/cycles/${encodeURIComponent(cycleId)}/retrospectives`, {
        teamId,
        wentWell: text.wentWell.trim(),
        didNotGoWell: text.didNotGoWell.trim(),
        lessons: text.lessons.trim(),
        // In the order the page lists them, so the saved proposal reads like the form.
        carryForwardKeyResultIds: objectives
          .flatMap((objective) => objective.keyResults.map((kr) => kr.id))
          .filter((krId) => chosen.has(krId)),
      }),
    onSuccess: async (retrospective) => {
      client.setQueryData(retrospectiveKey(cycleId, teamId), retrospective);
      await client.invalidateQueries({ queryKey: ["me", "work"] });
    },
  });
  // goals' 422 names the field it is about (an empty retrospective points at /wentWell).
  const refusedPaths = new Set(
    save.error instanceof ProblemError ? save.error.errors.map((e) => e.path) : [],
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const toggle = (krId: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(krId)) next.delete(krId);
      else next.add(krId);
      return next;
    });
  return (
    <form className="objective-form" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{saved ? "Revise the retrospective" : "Write the retrospective"}</h2>
      {REFLECTIONS.map((field) => (
        <div className="field" key={field.name}>
          <label htmlFor={`${id}-${field.name}`}>{field.label}</label>
          <textarea
            id={`${id}-${field.name}`}
            rows={4}
            maxLength={8000}
            value={text[field.name]}
            aria-invalid={refusedPaths.has(`/${field.name}`) || undefined}
            aria-describedby={`${id}-${field.name}-hint`}
            onChange={(event) => setText({ ...text, [field.name]: event.target.value })}
          />
          <p id={`${id}-${field.name}-hint`} className="hint">
            {field.hint}
          </p>
        </div>
      ))}
      <CarryForwardChoices objectives={objectives} chosen={chosen} onToggle={toggle} />
      <Refused error={save.error} fallback="The retrospective was not saved" />
      <div aria-live="polite">
        {save.isSuccess && !save.isPending ? (
          <p className="state ok" role="status">
            Retrospective saved.
          </p>
        ) : null}
      </div>
      <button type="submit" className="primary" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save the retrospective"}
      </button>
    </form>
  );
}

/** What the team wrote, as saved in goals, with the key results it proposes to carry forward. */
function SavedRetrospective({ saved, objectives }: { saved: Retrospective; objectives: Objective[] }) {
  const titles = new Map(objectives.flatMap((o) => o.keyResults.map((kr) => [kr.id, kr.title] as const)));
  return (
    <section aria-labelledby="saved-title" className="card retrospective-saved">
      <h2 id="saved-title">The team's retrospective</h2>
      <p className="muted">Last saved {new Date(saved.updatedAt).toLocaleString()}</p>
      <dl>
        {REFLECTIONS.map((field) => (
          <div key={field.name}>
            <dt>{field.label}</dt>
            <dd>{saved[field.name] || <span className="muted">nothing written</span>}</dd>
          </div>
        ))}
        <div>
          <dt>Proposed to carry forward</dt>
          <dd>
            {saved.carryForwardKeyResultIds.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <ul aria-label="Proposed to carry forward">
                {saved.carryForwardKeyResultIds.map((krId) => (
                  <li key={krId}>
                    <Link to={`/key-results/${krId}`}>{titles.get(krId) ?? "a key result"}</Link>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** The drafts the next cycle holds that continue this team's key results, with where to work on them. */
function NextCycleDrafts({ next, teamId, fromIds }: { next: Cycle; teamId: string; fromIds: Set<string> }) {
  const drafts = useObjectives(next.id, { teamId });
  const teamObjectives = `/cycles/${next.id}/teams/${teamId}/objectives`;
  return (
    <Loaded query={drafts} what={`${next.name}'s drafts`}>
      {(list) => {
        const carried = list.flatMap((objective) =>
          objective.keyResults
            .filter((kr) => kr.carriedFromKeyResultId && fromIds.has(kr.carriedFromKeyResultId))
            .map((kr) => ({ kr, objective })),
        );
        return carried.length === 0 ? (
          <Empty>
            {next.name} holds no draft of this team's key results yet: the cycle makes them when the
            retrospective phase ends (every team has written one, or its deadline passed).
          </Empty>
        ) : (
          <>
            <ul className="carry-list" aria-label={`Drafts in ${next.name}`}>
              {carried.map(({ kr, objective }) => (
                <li key={kr.id}>
                  <Link to={`/key-results/${kr.id}`}>{kr.title}</Link>{" "}
                  <span className="muted">
                    under “{objective.title}” ({objective.state.toLowerCase()})
                  </span>
                </li>
              ))}
            </ul>
            <p>
              <Link to={teamObjectives}>The team's objectives in {next.name}</Link>
            </p>
          </>
        );
      }}
    </Loaded>
  );
}

function NextCycle({
  cycleId,
  teamId,
  objectives,
}: {
  cycleId: string;
  teamId: string;
  objectives: Objective[];
}) {
  const cycles = useCycles();
  const fromIds = new Set(objectives.flatMap((o) => o.keyResults.map((kr) => kr.id)));
  return (
    <section aria-labelledby="next-title">
      <h2 id="next-title">In the next cycle</h2>
      <Loaded query={cycles} what="cycles">
        {(list) => {
          const next = nextCycle(list, cycleId);
          return next ? (
            <NextCycleDrafts next={next} teamId={teamId} fromIds={fromIds} />
          ) : (
            <Empty>
              There is no next cycle yet: it is made, with the carried drafts, when this cycle's retrospective
              phase ends.
            </Empty>
          );
        }}
      </Loaded>
    </section>
  );
}

/** A team's retrospective of a cycle: write or revise it, see what was saved and what the next cycle drafts. */
export function RetrospectivePage({ cycleId, teamId }: { cycleId: string; teamId: string }) {
  const objectives = useObjectives(cycleId, { teamId });
  const retrospective = useRetrospective(cycleId, teamId);
  const teamPath = `/cycles/${cycleId}/teams/${teamId}`;
  return (
    <section aria-labelledby="retrospective-title">
      <TeamInCycle cycleId={cycleId} teamId={teamId}>
        {(cycleData, teamData) => (
          <>
            <h1 id="retrospective-title">
              {teamData.name}'s retrospective <span className="muted">of {cycleData.name}</span>
            </h1>
            <p className="page-links">
              <Link to={teamPath}>{teamData.name}'s team page</Link>
              <Link to={`/cycles/${cycleId}/report`}>Quarter report</Link>
            </p>
            <Loaded query={objectives} what="the team's key results">
              {(list) => (
                <Loaded query={retrospective} what="the retrospective">
                  {(saved) => (
                    <>
                      {saved ? (
                        <SavedRetrospective saved={saved} objectives={list} />
                      ) : (
                        <Empty>The team has not written its retrospective of this cycle yet.</Empty>
                      )}
                      {WRITABLE.has(cycleData.phase) ? (
                        <RetrospectiveForm
                          cycleId={cycleId}
                          teamId={teamId}
                          objectives={list}
                          saved={saved}
                        />
                      ) : (
                        <p className="state note">
                          Retrospectives are written from the check-ins until the cycle closes; this cycle is
                          in {cycleData.phase.toLowerCase()}.
                        </p>
                      )}
                      <NextCycle cycleId={cycleId} teamId={teamId} objectives={list} />
                    </>
                  )}
                </Loaded>
              )}
            </Loaded>
          </>
        )}
      </TeamInCycle>
    </section>
  );
}
