import { join } from "node:path";
import { NATIVE_MAILPIT } from "@okr/endpoints";
import { daemonFiles, goInstall, portAnswers, startDaemon, stopDaemon } from "./processes.ts";

export { NATIVE_MAILPIT };

export const MAILPIT_MODULE = "github.com/axllent/mailpit@v1.33.1";

/** Builds Mailpit (SMTP server + web UI) from the Go module proxy into the cache once. */
export function ensureMailpitBinary(cacheDir: string): string {
  return goInstall(cacheDir, MAILPIT_MODULE, "mailpit", "the local mail server (Mailpit)");
}

const mailpitAnswers = () => portAnswers(NATIVE_MAILPIT.smtpPort, NATIVE_MAILPIT.host);

/** Starts Mailpit on the native ports with its mails in the cache; true if it started it (false: already up). */
export async function ensureMailpit(cacheDir: string): Promise<boolean> {
  if (await mailpitAnswers()) return false;
  const binary = ensureMailpitBinary(cacheDir);
  const { home, logFile, pidFile } = daemonFiles(cacheDir, "mailpit");
  await startDaemon({
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
    pidFile,
    ready: { what: "Mailpit", probe: mailpitAnswers, timeoutMs: 30_000 },
  });
  return true;
}

export function stopMailpit(cacheDir: string): Promise<boolean> {
  return stopDaemon(daemonFiles(cacheDir, "mailpit").pidFile);
}
