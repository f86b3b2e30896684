import type { FastifySchemaValidationError } from "fastify";

/** One failing field of a request, as a validation problem lists it. */
export interface ValidationIssue {
  in: string | undefined;
  path: string;
  message: string;
  missing?: unknown;
  allowed?: unknown[];
}

const BRANCH = /^(.*\/anyOf)\/(\d+)\//;

/**
 * Ajv reports a value outside a union of literals once per literal ("must be equal to constant", seven
 * times for seven key-result types) plus "must match a schema in anyOf". A client needs one line naming
 * the values it may send: every anyOf whose branches are all literals (or null) collapses to
 * "must be one of: a, b, c". Unions of anything else keep Ajv's own errors.
 */
export function validationIssues(
  errors: FastifySchemaValidationError[],
  context: string | undefined,
): ValidationIssue[] {
  // Each anyOf error and the errors of its branches (the schema path names the anyOf, then the branch).
  const unions = new Map<string, Map<number, FastifySchemaValidationError[]> | undefined>();
  for (const error of errors)
    if (error.keyword === "anyOf") unions.set(`${error.instancePath}|${error.schemaPath}`, new Map());
  const branchOf = (error: FastifySchemaValidationError) => {
    const match = BRANCH.exec(error.schemaPath ?? "");
    return match ? { union: match[1] as string, index: Number(match[2]) } : undefined;
  };
  for (const error of errors) {
    const branch = branchOf(error);
    if (!branch) continue;
    const key = `${error.instancePath}|${branch.union}`;
    const byBranch = unions.get(key);
    if (byBranch) byBranch.set(branch.index, [...(byBranch.get(branch.index) ?? []), error]);
    else {
      // An error inside a branch but below the union's own value: the union is not one of literals.
      for (const other of unions.keys()) if (other.endsWith(`|${branch.union}`)) unions.set(other, undefined);
    }
  }
  const collapsed = new Map<string, unknown[]>();
  for (const [key, byBranch] of unions) {
    if (!byBranch || byBranch.size === 0) continue;
    const allowed: unknown[] = [];
    let literals = true;
    for (const branchErrors of byBranch.values()) {
      const literal = branchErrors.find((e) => e.keyword === "const");
      const listed = branchErrors.find((e) => e.keyword === "enum");
      if (literal) allowed.push(literal.params.allowedValue);
      else if (listed) allowed.push(...((listed.params.allowedValues as unknown[]) ?? []));
      else if (branchErrors.every((e) => e.keyword === "type" && e.params.type === "null"))
        allowed.push(null);
      else literals = false;
    }
    if (literals) collapsed.set(key, allowed);
  }

  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const branch = branchOf(error);
    // A branch of a collapsed union: said once, by the union's own error.
    if (branch && collapsed.has(`${error.instancePath}|${branch.union}`)) continue;
    const path = error.instancePath || "/";
    const allowed =
      error.keyword === "anyOf"
        ? collapsed.get(`${error.instancePath}|${error.schemaPath}`)
        : error.keyword === "enum"
          ? (error.params.allowedValues as unknown[])
          : undefined;
    if (allowed) {
      issues.push({ in: context, path, message: `must be one of: ${allowed.map(show).join(", ")}`, allowed });
      continue;
    }
    issues.push({
      in: context,
      path,
      message: error.message ?? "is not valid",
      ...(error.params && "missingProperty" in error.params ? { missing: error.params.missingProperty } : {}),
    });
  }
  return issues;
}

const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** The problem's one-line detail: "body /keyResults/0/type must be one of: ...; body must have ...". */
export function describeIssues(issues: ValidationIssue[]): string {
  return issues
    .map((issue) => `${issue.in ?? "request"}${issue.path === "/" ? "" : ` ${issue.path}`} ${issue.message}`)
    .join("; ");
}
