import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type WorkItem } from "../api.ts";
import { Deadline } from "../components/deadline.tsx";
import { Empty, Loaded, Refused } from "../components/states.tsx";
import { Link } from "../router.tsx";
import { MyTeamsObjectives } from "./my-teams.tsx";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** What one item asks, in words, and where it is done. */
function describe(item: WorkItem): { what: string; to: string; when?: string } {
  switch (item.action) {
    case "check-in":
      return {
        what: `Check in on “${item.title}”`,
        to: `/key-results/${item.keyResultId}`,
        when: item.lastCheckInAt
          ? `due since ${dateFormat.format(new Date(item.dueAt))}`
          : "no check-in yet this cycle",
      };
    case "draft-objectives":
      return {
        what:
          item.written === 0
            ? `Write ${item.teamName}'s objectives`
            : `Submit ${item.teamName}'s objectives (${item.open} of ${item.written} not submitted)`,
        to: `/cycles/${item.cycleId}/teams/${item.teamId}/objectives`,
      };
    case "approve-objectives":
      return {
        what: `Approve ${item.teamName}'s objectives (${item.objectiveIds.length} submitted)`,
        to: `/cycles/${item.cycleId}/teams/${item.teamId}/approvals`,
      };
    case "mid-cycle-review":
      return {
        what: `Hold ${item.teamName}'s mid-cycle review`,
        to: `/cycles/${item.cycleId}/teams/${item.teamId}`,
      };
    case "retrospective":
      return {
        what: `Write ${item.teamName}'s retrospective`,
        to: `/cycles/${item.cycleId}/teams/${item.teamId}/retrospective`,
      };
  }
}

const key = (item: WorkItem) =>
  `${item.action}:${item.cycleId}:${"keyResultId" in item ? item.keyResultId : item.teamId}`;

type MidCycleReview = Extract<WorkItem, { action: "mid-cycle-review" }>;

/** Records the team's mid-cycle review as held; the item then leaves the list. */
function MarkReviewHeld({ item }: { item: MidCycleReview }) {
  const queryClient = useQueryClient();
  const mark = useMutation({
    mutationFn: () => api.post(`/cycles/${item.cycleId}/teams/${item.teamId}/mid-cycle-review`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["me", "work"] }),
  });
  return (
    <>
      <button type="button" disabled={mark.isPending} onClick={() => mark.mutate()}>
        Mark as held<span className="visually-hidden"> ({item.teamName}'s mid-cycle review)</span>
      </button>
      <Refused error={mark.error} fallback="The review could not be recorded" />
    </>
  );
}

/** The home page: one list of what the cycle asks of me now, each item linking to where it is done. */
export function MyWorkPage() {
  const work = useQuery({
    queryKey: ["me", "work"],
    queryFn: () => api.get<{ items: WorkItem[] }>("/me/work"),
  });
  return (
    <section aria-labelledby="work-title">
      <h1 id="work-title">My work</h1>
      <Loaded query={work} what="your work">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>Nothing is asked of you right now.</Empty>
          ) : (
            <ul className="cards">
              {items.map((item) => {
                const { what, to, when } = describe(item);
                return (
                  <li key={key(item)} className="card">
                    <Link to={to}>{what}</Link>
                    {when ? <span className="muted">{when}</span> : null}
                    {item.action !== "check-in" && item.dueAt ? <Deadline dueAt={item.dueAt} /> : null}
                    {item.action === "mid-cycle-review" ? <MarkReviewHeld item={item} /> : null}
                    {"teamId" in item && item.action !== "mid-cycle-review" ? (
                      <Link to={`/cycles/${item.cycleId}/teams/${item.teamId}`}>
                        {item.teamName}'s team page
                      </Link>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          )
        }
      </Loaded>
      <MyTeamsObjectives />
      <p>
        <Link to="/cycles">All cycles</Link>
      </p>
    </section>
  );
}
