import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { NATIVE_MAILPIT } from "@okr/endpoints";
import { portAnswers, requireCommand, run, startDaemon, stopDaemon, waitUntil } from "./processes.ts";

export { NATIVE_MAILPIT };

export const MAILPIT_MODULE = "github.com/axllent/mailpit@v1.33.1";

/** Builds Mailpit (SMTP server + web UI) from the Go module proxy into the cache once. */
export function ensureMailpitBinary(cacheDir: string): string {
  const binary = join(cacheDir, "bin", "mailpit");
  if (existsSync(binary)) return binary;
  requireCommand(
    "go",
    "the local mail server (Mailpit)",
    "Install Go 1.23+ (Debian: apt-get install golang).",
  );
  console.error(`okr: building Mailpit (${MAILPIT_MODULE}); this takes a few minutes once`);
  run("go", ["install", MAILPIT_MODULE], {
    env: {
      ...process.env,
      GOBIN: join(cacheDir, "bin"),
      GOMODCACHE: join(cacheDir, "go", "mod"),
      GOCACHE: join(cacheDir, "go", "build"),
      CGO_ENABLED: "0",
    },
  });
  return binary;
}

const mailpitAnswers = () => portAnswers(NATIVE_MAILPIT.smtpPort, NATIVE_MAILPIT.host);

/** Starts Mailpit on the native ports with its mails in the cache; true if it started it (false: already up). */
export async function ensureMailpit(cacheDir: string): Promise<boolean> {
  if (await mailpitAnswers()) return false;
  const binary = ensureMailpitBinary(cacheDir);
  const home = join(cacheDir, "mailpit");
  const logFile = join(cacheDir, "logs", "mailpit.log");
  mkdirSync(home, { recursive: true });
  const pid = startDaemon({
    name: "mailpit",
    command: binary,
    args: [
      "--smtp",
      `${NATIVE_MAILPIT.host}:${NATIVE_MAILPIT.smtpPort}`,
      "--listen",
      `${NATIVE_MAILPIT.host}:${NATIVE_MAILPIT.uiPort}`,
      "--database",
      join(home, "mailpit.db"),
    ],
    logFile,
    pidFile: join(home, "mailpit.pid"),
  });
  await waitUntil("Mailpit", mailpitAnswers, { timeoutMs: 30_000, logFile, pid });
  return true;
}

export function stopMailpit(cacheDir: string): Promise<boolean> {
  return stopDaemon(join(cacheDir, "mailpit", "mailpit.pid"));
}
