import { OBJECTIVE_KINDS, OBJECTIVE_STATES } from "@okr/goals-domain";
import { useId, useMemo, useRef } from "react";
import { usePeople } from "../queries.ts";
import { isUnfiltered, NO_CRITERIA, type TreeCriteria } from "../tree-filter.ts";
import { useTeams } from "./team-link.tsx";

interface Option {
  id: string;
  name: string;
}

/**
 * The owners a filter offers by name, sorted. The one in the address stays offered even when it owns
 * nothing in this cycle, so the select shows what the tree is filtered by.
 */
function named(
  ids: readonly string[],
  selected: string | null,
  names: Map<string, string> | undefined,
): Option[] {
  const all = selected && !ids.includes(selected) ? [...ids, selected] : ids;
  return all
    .map((id) => ({ id, name: names?.get(id) ?? (names ? "someone no longer listed" : "…") }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function Select({
  label,
  any,
  value,
  options,
  onChange,
}: {
  label: string;
  any: string;
  value: string | null;
  options: readonly Option[];
  onChange: (value: string | null) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ""} onChange={(event) => onChange(event.target.value || null)}>
        <option value="">{any}</option>
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </select>
    </div>
  );
}

const STATE_OPTIONS = OBJECTIVE_STATES.map((state) => ({ id: state, name: state }));
const KIND_OPTIONS = OBJECTIVE_KINDS.map((kind) => ({ id: kind, name: kind }));

/**
 * The OKR tree's filters: text, owning team, owning person, state, kind and risk, all at once. Each
 * change goes to `onChange`; the count of what matches is announced as it changes.
 */
export function TreeFilters({
  criteria,
  owners,
  onChange,
  matches,
  total,
}: {
  criteria: TreeCriteria;
  owners: { teamIds: string[]; personIds: string[] };
  onChange: (change: Partial<TreeCriteria>) => void;
  matches: number;
  total: number;
}) {
  const teams = useTeams();
  const people = usePeople(owners.personIds.length > 0 || criteria.personId !== null);
  const teamNames = useMemo(() => teams.data && new Map(teams.data.map((t) => [t.id, t.name])), [teams.data]);
  const personNames = useMemo(
    () => people.data && new Map(people.data.map((p) => [p.id, p.name])),
    [people.data],
  );
  const teamOptions = useMemo(
    () => named(owners.teamIds, criteria.teamId, teamNames),
    [owners.teamIds, criteria.teamId, teamNames],
  );
  const personOptions = useMemo(
    () => named(owners.personIds, criteria.personId, personNames),
    [owners.personIds, criteria.personId, personNames],
  );
  const filtered = !isUnfiltered(criteria);
  const text = useRef<HTMLInputElement>(null);
  return (
    <search className="tree-filters" aria-label="Filter the tree">
      <div className="field filter-text">
        <label htmlFor="tree-filter">Filter objectives and key results</label>
        <input
          ref={text}
          id="tree-filter"
          type="search"
          value={criteria.text}
          onChange={(event) => onChange({ text: event.target.value })}
          placeholder="Type part of a title"
        />
      </div>
      <div className="field-row">
        {(
          [
            ["teamId", "Team", "Any team", teamOptions],
            ["personId", "Person", "Anyone", personOptions],
            ["state", "State", "Any state", STATE_OPTIONS],
            ["kind", "Kind", "Any kind", KIND_OPTIONS],
          ] as const
        ).map(([key, label, any, options]) => (
          <Select
            key={key}
            label={label}
            any={any}
            value={criteria[key]}
            options={options}
            onChange={(value) => onChange({ [key]: value })}
          />
        ))}
      </div>
      <div className="filter-actions">
        <label className="check">
          <input
            type="checkbox"
            checked={criteria.atRisk}
            onChange={(event) => onChange({ atRisk: event.target.checked })}
          />
          Only objectives at risk
        </label>
        {filtered && (
          <button
            type="button"
            onClick={() => {
              onChange(NO_CRITERIA);
              // The button goes with the filters: focus moves to where filtering starts, not to the page.
              text.current?.focus();
            }}
          >
            Clear filters
          </button>
        )}
      </div>
      <p role="status" className="muted filter-count">
        {filtered ? `${matches} of ${total} objectives match` : ""}
      </p>
    </search>
  );
}
