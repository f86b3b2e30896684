export {
  type AlignmentGraph,
  type AlignmentGraphInput,
  type AlignmentLink,
  buildAlignmentGraph,
  type RecomputeScope,
  recomputeScope,
} from "./alignment-graph.ts";
export { confidenceTrend, isLaterCheckIn, milestonesDone } from "./check-ins.ts";
export { ScoringError, type ScoringErrorCode } from "./errors.ts";
export { exactSum, weightedMean } from "./exact-sum.ts";
export {
  colourOf,
  type GradeColour,
  gradeOf,
  type Verdict,
  verdictFor,
} from "./grade.ts";
export { assertValidKeyResult, clampScore, isInsideBand, scoreKeyResult } from "./key-result.ts";
export {
  type GradedScore,
  type KeyResultInput,
  type ObjectiveInput,
  type ObjectiveScore,
  type OrganizationInput,
  type OrganizationScore,
  rolledObjectiveScore,
  scoreObjective,
  scoreOrganization,
  type TeamScore,
} from "./organization.ts";
export {
  type AtRiskReason,
  assessRisk,
  type CycleWindow,
  expectedProgress,
  type RiskAssessment,
} from "./pacing.ts";
export {
  assertValidPolicy,
  BAND_RULES,
  type BandRule,
  canonicalJson,
  DEFAULT_SCORING_POLICY,
  MILESTONE_RULES,
  type MilestoneRule,
  type PolicyValidation,
  policyFingerprint,
  ROLLUP_MODES,
  type RollupMode,
  type RollupRule,
  type ScoringPolicy,
  validatePolicy,
} from "./policy.ts";
export * from "./types.ts";
