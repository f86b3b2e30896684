import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cacheDir } from "@okr/endpoints";
import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * infra/bin/okr picks the cache directory in shell, before a recent enough Node is there to ask
 * @okr/endpoints (Node itself goes into that directory). These are the script's own lines that pick it.
 */
const choosing = readFileSync(new URL("../bin/okr", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => /^(if .*default_cache=|export OKR_CACHE_DIR=)/.test(line));

/** What the entry script exports as OKR_CACHE_DIR, run as the given user id. */
function shellCacheDir(uid: number, env: NodeJS.ProcessEnv): string {
  const program = [`id() { echo ${uid}; }`, ...choosing, 'printf %s "$OKR_CACHE_DIR"'].join("\n");
  return execFileSync("bash", ["-c", program], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the cache directory", () => {
  it("is chosen by two lines of the entry script", () => {
    expect(choosing).toHaveLength(2);
  });

  it.each([
    ["root", 0, { HOME: "/root" }],
    ["root, OKR_CACHE_DIR set", 0, { HOME: "/root", OKR_CACHE_DIR: "/srv/okr-cache" }],
    ["a user", 1000, { HOME: "/home/dev" }],
    ["a user, XDG_CACHE_HOME set", 1000, { HOME: "/home/dev", XDG_CACHE_HOME: "/home/dev/.xdg" }],
    ["a user, OKR_CACHE_DIR set", 1000, { HOME: "/home/dev", OKR_CACHE_DIR: "/srv/okr-cache" }],
  ])("is the same in the entry script and in @okr/endpoints (%s)", (_, uid, env) => {
    vi.spyOn(process, "getuid").mockReturnValue(uid);
    expect(shellCacheDir(uid, env)).toBe(cacheDir(env));
  });
});
