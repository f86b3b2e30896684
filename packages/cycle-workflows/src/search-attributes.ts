/**
 * Custom search attributes every cycle workflow upserts, so ops can filter in the Temporal UI
 * (e.g. `OkrPhase = "CHECK_INS"`). The infrastructure setup registers exactly this list
 * (packages/native-infra/src/temporal.ts, docker-compose.yml); plain data so it loads outside the workflow sandbox.
 */
export const OKR_SEARCH_ATTRIBUTES = {
  OkrOrganization: "Keyword",
  OkrCycle: "Keyword",
  OkrPhase: "Keyword",
  OkrTeam: "Keyword",
} as const;

export type OkrSearchAttributeName = keyof typeof OKR_SEARCH_ATTRIBUTES;
