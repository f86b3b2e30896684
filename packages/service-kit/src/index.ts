export { createServiceApp, type ReadinessChecks, type ServiceAppOptions } from "./app.ts";
export {
  type AuthOptions,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type Principal,
  ROLES,
  type Role,
  requireRole,
  type SignInIdentity,
  signToken,
} from "./auth.ts";
export {
  type ClientCredentialsOptions,
  clientCredentialsTokens,
  type ServiceTokenSource,
} from "./client-credentials.ts";
export { DOCS_OAUTH2_REDIRECT_PATH, docsRedirectUri, docsSignIn } from "./docs-sign-in.ts";
export { type IdempotencyOptions, registerIdempotencyKeys } from "./idempotency.ts";
export {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  type IssuerVerifier,
  issuerVerifier,
  type KeyFetchOptions,
  type TrustedIssuer,
} from "./issuers.ts";
export { noContent, PROBLEM_MEDIA_TYPE, problemResponse, problems } from "./openapi.ts";
export { listPage, Page, PageQuery, type PageWindow, page } from "./pagination.ts";
export {
  badRequest,
  conflict,
  DATABASE_RETRY_AFTER_SECONDS,
  forbidden,
  notFound,
  Problem,
  ProblemSchema,
  problemType,
  unprocessable,
} from "./problem.ts";
export { type RouteFactory, type RoutesApp, resource } from "./resource-routes.ts";
export { type RunServiceOptions, runService } from "./run.ts";
export {
  type BackgroundWork,
  createRuntimeApp,
  runServiceProcess,
  runtimeConsumer,
  type ServiceDefinition,
  type ServiceParts,
  type ServiceRuntime,
} from "./runtime.ts";
export { IdParams, Uuid } from "./schemas.ts";
