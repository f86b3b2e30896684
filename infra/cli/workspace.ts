import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const bin = (name: string) => `${ROOT}node_modules/.bin/${name}`;

/** Environment every child of the CLI gets: Prisma offline, no telemetry calls home. */
export const TOOL_ENV = {
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/true",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};

/** Runs a command with inherited output; resolves with its exit code. */
export function runInherited(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, ...TOOL_ENV, ...env },
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Generates every service's Prisma client (offline; the schema engine is not needed for this). */
export async function generatePrismaClients(): Promise<void> {
  const code = await runInherited(bin("turbo"), [
    "run",
    "generate",
    "--output-logs=errors-only",
    "--log-prefix=none",
  ]);
  if (code !== 0) throw new Error("prisma generate failed");
}

export async function timed<T>(phases: [string, number][], name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    phases.push([name, (performance.now() - started) / 1000]);
  }
}
