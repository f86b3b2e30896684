import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's chromium: Playwright's own browser download is not reachable from every machine that tests. */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

const run = (command: string, args: string[]) =>
  execFileSync(command, args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });

/**
 * The Chromium the browser tests drive, installed from Debian's package as root when it is missing (as
 * `npm test` installs PostgreSQL and python3-venv): `CHROMIUM_PATH` if set, else Debian's.
 */
export function chromiumExecutable(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  const found = () => CANDIDATES.find((path) => existsSync(path));
  const present = found();
  if (present) return present;
  const canInstall =
    process.getuid?.() === 0 && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (!canInstall)
    throw new Error(
      "the browser tests need Chromium (Debian: apt-get install chromium), or CHROMIUM_PATH naming one",
    );
  console.error("okr: Chromium not found; installing Debian's chromium package");
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-liberation"]);
  const installed = found();
  if (!installed) throw new Error("apt-get installed chromium, but no chromium binary was found");
  return installed;
}
