import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { Account } from "../src/accounts.ts";
import { DEFAULT_WEB_REDIRECT_URI } from "../src/provider.ts";
import { ProviderBrowser, signInWithPassword } from "../src/sign-in.ts";

// The provider as `npm start` runs it: its own process, keys rotated by the CLI and picked up on SIGHUP,
// sessions kept on disk before it answers.
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

/** Runs `main.ts serve` and resolves with the issuer it prints once it listens. */
function serve(environment: NodeJS.ProcessEnv): Promise<{ process: ChildProcess; issuer: string }> {
  const running = spawn(process.execPath, [main, "serve"], {
    env: environment,
    stdio: ["ignore", "pipe", "inherit"],
  });
  child = running;
  return new Promise((resolve, reject) => {
    running.stdout?.on("data", (chunk: Buffer) => {
      const match = /issuer (\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve({ process: running, issuer: match[1] });
    });
    running.once("exit", (code) => reject(new Error(`the provider exited with ${code}`)));
  });
}

const exited = (running: ChildProcess) => new Promise((resolve) => running.once("exit", resolve));

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
    const { process: running, issuer } = await serve(env);
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

  it("keeps a person signed in when the process is killed and started again", async () => {
    child?.kill("SIGTERM");
    const home = mkdtempSync(join(tmpdir(), "okr-idp-crash-"));
    const person: Account = {
      sub: "pat",
      email: "pat@example.com",
      name: "Pat",
      password: "correct horse",
      tenant: "5eed0000-0000-4000-8000-0000000000aa",
      groups: ["okr-members"],
    };
    writeFileSync(join(home, "accounts.json"), JSON.stringify([person]));
    // A fixed port, so the restarted provider has the same issuer.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const crashEnv = {
      ...env,
      OIDC_PORT: String(port),
      OIDC_DATA_DIR: home,
      OIDC_ACCOUNTS_FILE: join(home, "accounts.json"),
    };
    try {
      const before = await serve(crashEnv);
      const browser = new ProviderBrowser(before.issuer);
      const signIn = { issuer: before.issuer, redirectUri: DEFAULT_WEB_REDIRECT_URI, browser };
      const credentials = { email: person.email, password: person.password };
      expect(await signInWithPassword({ ...signIn, ...credentials })).toMatchObject({ loginForm: true });
      // No chance to flush anything: what the provider answered must already be on disk.
      before.process.kill("SIGKILL");
      await exited(before.process);

      const after = await serve(crashEnv);
      expect(after.issuer).toBe(before.issuer);
      expect(await signInWithPassword({ ...signIn, ...credentials })).toMatchObject({
        status: 200,
        loginForm: false,
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
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
