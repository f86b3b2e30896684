import { pgTransaction } from "@okr/messaging";
import { type ScoringPolicy, validatePolicy } from "@okr/scoring-rules";
import { conflict, notFound, problems, requireRole, resource, unprocessable } from "@okr/service-kit";
import { Type } from "typebox";
import { findPolicy, insertPolicyVersion, LIVE_POLICY_ID } from "../policies.ts";
import { rescoreTenant } from "../scorer/index.ts";
import type { ScoringRuntime } from "../service.ts";

const Rollup = Type.Union([
  Type.Object({ mode: Type.Literal("own-krs-only") }, { additionalProperties: false }),
  Type.Object(
    { mode: Type.Literal("blend-children"), childShare: Type.Number({ minimum: 0, maximum: 1 }) },
    { additionalProperties: false },
  ),
]);

const PolicyChoices = {
  bandRule: Type.Union([Type.Literal("current-inside"), Type.Literal("share-inside")]),
  milestoneRule: Type.Union([Type.Literal("fraction"), Type.Literal("all-or-nothing")]),
  atRiskProgressGap: Type.Number({ minimum: 0, maximum: 1 }),
  atRiskConfidence: Type.Number({ minimum: 0, maximum: 1 }),
  confidenceTrendWindow: Type.Integer({ minimum: 2, maximum: 100 }),
  rollup: Rollup,
};
const PolicyView = Type.Object({ id: Type.String(), version: Type.Integer(), ...PolicyChoices });
const PolicyParams = Type.Object({ policyId: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,62}$" }) });

/**
 * Named, versioned scoring policies. Writing one stores its next version (older versions stay, so a
 * cycle graded under "stretch v2" can always be recomputed). The policy named "default" drives live scores.
 */
export const policyRoutes = resource<ScoringRuntime>("policies", (app, { pool }) => {
  app.get(
    "/policies/:policyId",
    {
      schema: {
        summary: "The latest version of a named scoring policy",
        params: PolicyParams,
        response: { 200: PolicyView, ...problems(404) },
      },
    },
    async (request) => {
      const policy = await findPolicy(pool, request.principal.tenantId, request.params.policyId);
      if (!policy) throw notFound(`scoring policy ${request.params.policyId}`);
      return policy;
    },
  );

  app.put(
    "/policies/:policyId",
    {
      schema: {
        summary: "Store the next version of a named scoring policy (admins)",
        description:
          "The policy named 'default' drives live scores: writing it re-scores the tenant's live scores " +
          "at once. Final grading names any policy. Every version is kept, so a frozen grade can be recomputed.",
        params: PolicyParams,
        body: Type.Object(PolicyChoices, { additionalProperties: false }),
        response: { 201: PolicyView, ...problems(400, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const tenant = request.principal.tenantId;
      const { policyId } = request.params;
      const current = await findPolicy(pool, tenant, policyId);
      return reply.status(201).send(await storeNextVersion(pool, tenant, policyId, current, request.body));
    },
  );

  app.patch(
    "/policies/:policyId",
    {
      schema: {
        summary: "Store the next version of a named scoring policy with some of its choices changed (admins)",
        description:
          "Every field is optional: the ones sent replace the latest version's, the rest are kept, and the " +
          "result is validated like a PUT. The policy must exist ('default' always does).",
        params: PolicyParams,
        body: Type.Partial(Type.Object(PolicyChoices), { additionalProperties: false }),
        response: { 201: PolicyView, ...problems(400, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      requireRole(request, "admin", "service");
      const tenant = request.principal.tenantId;
      const { policyId } = request.params;
      const current = await findPolicy(pool, tenant, policyId);
      if (!current) throw notFound(`scoring policy ${policyId}`);
      const { id: _id, version: _version, ...choices } = current;
      const merged = { ...choices, ...request.body };
      return reply.status(201).send(await storeNextVersion(pool, tenant, policyId, current, merged));
    },
  );
});

/**
 * Validates `choices` as the version after `current` and stores it; writing the live policy re-scores the
 * tenant's live scores in the same transaction. A concurrent write of the same version is a 409.
 */
async function storeNextVersion(
  pool: ScoringRuntime["pool"],
  tenant: string,
  policyId: string,
  current: ScoringPolicy | null,
  choices: Record<string, unknown>,
): Promise<ScoringPolicy> {
  const candidate = { ...choices, id: policyId, version: (current?.version ?? 0) + 1 };
  const result = validatePolicy(candidate);
  if (!result.valid) throw unprocessable("invalid-policy", result.problems.join("; "));
  const stored = await pgTransaction(pool, async (tx) => {
    if (!(await insertPolicyVersion(tx.client, tenant, result.policy))) return false;
    // The live policy changed: every live score moves to it at once, so no cycle mixes versions.
    if (policyId === LIVE_POLICY_ID) await rescoreTenant(tx.client, tx, tenant);
    return true;
  });
  if (!stored) throw conflict("policy-version-taken", "a concurrent write took this version; retry");
  return result.policy;
}
