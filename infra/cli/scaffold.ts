import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { bin, ROOT } from "./workspace.ts";

/** The template of a new service: every file as it will be, names ending in `.tmpl` (see docs/adding-a-service.md). */
const TEMPLATE = join(ROOT, "infra", "scaffold", "template");
const MESSAGING_SQL = join(ROOT, "packages", "messaging", "sql", "messaging-tables.sql");
const MESSAGING_MODELS = join(ROOT, "packages", "messaging", "prisma-models.prisma");
/**
 * The messaging tables' migration folder: the same name in every service, and older than any migration
 * of the service's own, so it is applied first (a messaging test checks both).
 */
const MESSAGING_MIGRATION = "20261125000000_messaging_tables";

export interface ScaffoldOptions {
  /** The repository to create the service in (default: this one). */
  root?: string;
  /** When the service's first migration is dated (its folder name); default now. */
  now?: Date;
  description?: string;
}

/** Why `name` cannot name a new service under `root`, or undefined when it can. */
export function invalidServiceName(name: string, root = ROOT): string | undefined {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name))
    return `"${name}" is not a service name: lower-case letters and digits, words joined by single dashes (e.g. "reports")`;
  if (existsSync(join(root, "services", name))) return `services/${name} exists already`;
  return undefined;
}

/** Why `description` cannot go into the service's code and package.json as it is, or undefined. */
export function invalidDescription(description: string): string | undefined {
  if (/["\\`\n\r]/.test(description) || description.includes("*/"))
    return "the description is one line without quotes, backslashes, backticks or */";
  return undefined;
}

/**
 * Creates services/<name> from the template: package (a workspace by the root's `services/*` glob),
 * config, service definition with one route and one consumer of a catalog event, process entry,
 * migrations (the first a link to the shared messaging tables), schema.prisma with the messaging models,
 * and an integration test on the real Postgres and Kafka. Returns the directory it created; on an error
 * it leaves nothing behind.
 */
export function scaffoldService(name: string, options: ScaffoldOptions = {}): string {
  const root = options.root ?? ROOT;
  const problem = invalidServiceName(name, root) ?? invalidDescription(options.description ?? "");
  if (problem) throw new Error(problem);
  const dir = join(root, "services", name);
  const words = name.split("-");
  const pascal = words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join("");
  const values: Record<string, string> = {
    __name__: name,
    __Pascal__: pascal,
    __camel__: pascal[0]?.toLowerCase() + pascal.slice(1),
    __db__: words.join("_"),
    __description__: options.description ?? `The ${name} service.`,
    __messaging_models__: readFileSync(MESSAGING_MODELS, "utf8").trim(),
  };
  const fill = (text: string) =>
    text.replace(/__(name|Pascal|camel|db|description|messaging_models)__/g, (m) => values[m] ?? m);
  const stamp = (options.now ?? new Date()).toISOString().replace(/\D/g, "").slice(0, 14);
  const migrations = join(dir, "prisma", "migrations");
  try {
    for (const file of templateFiles(TEMPLATE)) {
      const target = join(dir, file.replace(/\.tmpl$/, ""));
      const content = fill(readFileSync(join(TEMPLATE, file), "utf8"));
      if (file === join("prisma", "migration.sql.tmpl")) {
        writeInto(join(migrations, `${stamp}_${values.__db__}`, "migration.sql"), content);
      } else writeInto(target, content);
    }
    // A link, not a copy: one file of messaging tables, the same bytes (and checksum) in every database.
    const messaging = join(migrations, MESSAGING_MIGRATION);
    mkdirSync(messaging, { recursive: true });
    symlinkSync(relative(messaging, MESSAGING_SQL), join(messaging, "migration.sql"));
    // Names of any length go into the code: the project's formatter lays the lines out afterwards.
    execFileSync(bin("biome"), ["format", "--write", dir], { cwd: root, stdio: "ignore" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

function templateFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templateFiles(dir, join(prefix, entry.name))
      : entry.name.endsWith(".tmpl")
        ? [join(prefix, entry.name)]
        : [],
  );
}

function writeInto(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** `npm run new-service -- <name> [description]`: scaffolds the service and says what comes next. */
export function newService(args: string[]): number {
  const [name, ...description] = args;
  if (!name) {
    console.error('usage: npm run new-service -- <name> ["What the service does."]');
    return 2;
  }
  const problem = invalidServiceName(name) ?? invalidDescription(description.join(" "));
  if (problem) {
    console.error(`okr new-service: ${problem}`);
    return 2;
  }
  const dir = scaffoldService(name, { description: description.join(" ") || undefined });
  const where = relative(ROOT, dir);
  console.log(`okr new-service: created ${where} (@okr/${name}-service). Next:
  npm install    (records the new workspace in package-lock.json)
  npx vitest run --project @okr/${name}-service    (its tests, on the real Postgres and Kafka)
  npx tsc -p ${where}/tsconfig.json --noEmit
To run it under \`npm start\` and docker compose, see docs/adding-a-service.md.`);
  return 0;
}
