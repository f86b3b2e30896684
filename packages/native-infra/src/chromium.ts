import { existsSync } from "node:fs";
import { installDebianPackages } from "./processes.ts";

/** Debian's chromium: Playwright's own browser download is not reachable from every machine that tests. */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

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
  if (!installDebianPackages(["chromium", "fonts-liberation"], "Chromium not found"))
    throw new Error(
      "the browser tests need Chromium (Debian: apt-get install chromium), or CHROMIUM_PATH naming one",
    );
  const installed = found();
  if (!installed) throw new Error("apt-get installed chromium, but no chromium binary was found");
  return installed;
}
