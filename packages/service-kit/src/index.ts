export { createServiceApp, type ReadinessChecks, type ServiceAppOptions } from "./app.ts";
export { runService, type RunServiceOptions } from "./run.ts";
export { type AuthOptions, type Principal, type Role, ROLES, requireRole, signToken } from "./auth.ts";
export {
  Problem,
  ProblemSchema,
  badRequest,
  conflict,
  forbidden,
  notFound,
  problemType,
  unprocessable,
} from "./problem.ts";
