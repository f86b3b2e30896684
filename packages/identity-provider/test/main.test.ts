import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The provider as `npm start` runs it: its own process, keys rotated by the CLI and picked up on SIGHUP.
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "okr-idp-main-"));
const accountsFile = join(dataDir, "accounts.json");
writeFileSync(accountsFile, "[]");
const env = {
  ...process.env,
  OIDC_PORT: "0",
  OIDC_DATA_DIR: dataDir,
  OIDC_ACCOUNTS_FILE: accountsFile,
  OIDC_SERVICE_CLIENT_SECRET: "a-service-secret",
};
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (command: string) => spawnSync(process.execPath, [main, command], { env, encoding: "utf8" });

async function published(issuer: string): Promise<string[]> {
  const { keys } = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] };
  return keys.map((key) => key.kid);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
}

describe("the identity provider process", () => {
  it("publishes a rotated key beside the old one after SIGHUP, and drops the old one once retired", async () => {
    const running = spawn(process.execPath, [main, "serve"], { env, stdio: ["ignore", "pipe", "inherit"] });
    child = running;
    const issuer = await new Promise<string>((resolve, reject) => {
      running.stdout?.on("data", (chunk: Buffer) => {
        const match = /issuer (\S+)/.exec(chunk.toString());
        if (match?.[1]) resolve(match[1]);
      });
      running.once("exit", (code) => reject(new Error(`the provider exited with ${code}`)));
    });
    const first = await published(issuer);
    expect(first).toHaveLength(2);

    expect(cli("rotate-keys").status).toBe(0);
    running.kill("SIGHUP");
    await until(async () => (await published(issuer)).length === 4);
    const rotated = await published(issuer);
    expect(rotated.slice(2)).toEqual(first);

    expect(cli("retire-keys").stdout).toContain(first[0]);
    running.kill("SIGHUP");
    await until(async () => (await published(issuer)).length === 2);
    expect(await published(issuer)).toEqual(rotated.slice(0, 2));
  });

  it("refuses to start without its service client secret", () => {
    const result = spawnSync(process.execPath, [main, "serve"], {
      env: { ...env, OIDC_SERVICE_CLIENT_SECRET: "" },
      encoding: "utf8",
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/OIDC_SERVICE_CLIENT_SECRET must be set/);
  });
});
