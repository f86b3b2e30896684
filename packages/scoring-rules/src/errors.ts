/** What kind of input a {@link ScoringError} rejects, so callers can map it to a response without parsing text. */
export type ScoringErrorCode =
  | "invalid-policy"
  | "invalid-key-result"
  | "invalid-check-in"
  | "invalid-objective"
  | "invalid-weight"
  | "invalid-score"
  | "invalid-cycle"
  | "invalid-graph"
  | "alignment-cycle";

/** Thrown for input the scoring rules cannot score; the message says what to fix. */
export class ScoringError extends Error {
  readonly code: ScoringErrorCode;

  constructor(code: ScoringErrorCode, message: string) {
    super(message);
    this.name = "ScoringError";
    this.code = code;
  }
}
