import type { Static, TObject } from "typebox";
import { Value } from "typebox/value";

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every problem with the environment at once, each naming its variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join("\n")}`);
    this.problems = problems;
  }
}

const SECRET_NAME = /SECRET|PASSWORD|TOKEN|KEY/i;

/** Shows what was given without leaking secrets or passwords inside URLs. */
function describeValue(variable: string, value: unknown): string {
  if (value === undefined) return "it is not set";
  if (SECRET_NAME.test(variable)) return "got a value that is not shown";
  const text = String(value).replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  return `got ${JSON.stringify(text)}`;
}

/**
 * Reads the variables a schema names from the environment, applies defaults, converts strings to the
 * schema's types (numbers, booleans) and validates. Unknown variables are ignored; `refine` adds checks
 * that span variables.
 */
export function loadConfig<S extends TObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
  refine?: (config: Static<S>) => ConfigProblem[],
): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw)) as Record<string, unknown>;
  const problems = new Map<string, ConfigProblem>();
  for (const error of Value.Errors(schema, converted)) {
    const variable = error.instancePath.replace(/^\//, "").split("/")[0] || missingProperty(error.params);
    if (!variable || problems.has(variable)) continue;
    const property = schema.properties[variable] as { description?: string } | undefined;
    const expected = property?.description ? ` (expected ${property.description})` : "";
    problems.set(variable, {
      variable,
      message: `${error.message}${expected}; ${describeValue(variable, converted[variable])}`,
    });
  }
  if (problems.size > 0) throw new ConfigError([...problems.values()]);
  const config = converted as Static<S>;
  const refined = refine?.(config) ?? [];
  if (refined.length > 0) throw new ConfigError(refined);
  return config;
}

function missingProperty(params: unknown): string {
  const value = (params as { requiredProperties?: string[]; missingProperty?: string } | undefined) ?? {};
  return value.requiredProperties?.[0] ?? value.missingProperty ?? "";
}

/**
 * For process entry points: on a bad environment print what is wrong and exit 78 (EX_CONFIG)
 * before anything has started.
 */
export function loadConfigOrExit<S extends TObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
  refine?: (config: Static<S>) => ConfigProblem[],
): Static<S> {
  try {
    return loadConfig(schema, env, refine);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
