/** Workflow changes made with `patched()`; each id stays until no history from before it can replay. */
export const PATCHES = {
  freezeOnlyCompleteGrades: "scoring-freezes-only-complete-grades",
  resumeRetriesFailedStep: "resume-retries-the-failed-step",
  /** Pause and resume answer once every running team workflow has the signal in its history. */
  controlAnswersOnceTeamsHaveIt: "control-answers-once-teams-have-it",
} as const;
