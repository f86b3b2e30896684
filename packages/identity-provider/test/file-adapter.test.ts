import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { FileStateStore } from "../src/file-adapter.ts";

// The adapter oidc-provider stores its sessions, grants and codes with, on a real directory.
const root = mkdtempSync(join(tmpdir(), "okr-idp-state-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, String(++dirs));

/** Opens the directory, runs `use`, closes it: what one provider process does between restarts. */
async function withStore<T>(dir: string, use: (store: FileStateStore) => Promise<T>): Promise<T> {
  const store = new FileStateStore(dir);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

describe("the provider's file-backed state", () => {
  it("reads back after a restart what was upserted, consumed and destroyed before it", async () => {
    const dir = freshDir();
    await withStore(dir, async (store) => {
      const sessions = store.adapter("Session");
      const codes = store.adapter("AuthorizationCode");
      await sessions.upsert("s1", { uid: "u1", accountId: "pat" }, 3600);
      await sessions.upsert("s2", { uid: "u2", accountId: "kim" }, 3600);
      await sessions.destroy("s2");
      await codes.upsert("c1", { grantId: "g1" }, 60);
      await codes.consume("c1");
    });
    await withStore(dir, async (store) => {
      const sessions = store.adapter("Session");
      expect(await sessions.find("s1")).toEqual({ uid: "u1", accountId: "pat" });
      expect(await sessions.findByUid("u1")).toEqual({ uid: "u1", accountId: "pat" });
      expect(await sessions.find("s2")).toBeUndefined();
      expect(await sessions.findByUid("u2")).toBeUndefined();
      expect((await store.adapter("AuthorizationCode").find("c1"))?.consumed).toEqual(expect.any(Number));
    });
  });

  it("hands out copies: changing a found payload changes nothing until it is upserted", async () => {
    await withStore(freshDir(), async (store) => {
      const grants = store.adapter("Grant");
      await grants.upsert("g1", { accountId: "pat", openid: { scope: "openid" } });
      const found = await grants.find("g1");
      if (found) found.accountId = "mallory";
      expect((await grants.find("g1"))?.accountId).toBe("pat");
    });
  });

  it("keeps a grant's tokens revoked across a restart, and only that grant's", async () => {
    const dir = freshDir();
    await withStore(dir, async (store) => {
      const codes = store.adapter("AuthorizationCode");
      await codes.upsert("c1", { grantId: "g1" }, 60);
      await codes.upsert("c2", { grantId: "g1" }, 60);
      await codes.upsert("c3", { grantId: "g2" }, 60);
      await store.adapter("Grant").upsert("g1", { accountId: "pat" }, 3600);
      await codes.revokeByGrantId("g1");
      await store.adapter("Grant").destroy("g1");
    });
    await withStore(dir, async (store) => {
      const codes = store.adapter("AuthorizationCode");
      expect(await codes.find("c1")).toBeUndefined();
      expect(await codes.find("c2")).toBeUndefined();
      expect(await codes.find("c3")).toEqual({ grantId: "g2" });
      expect(await store.adapter("Grant").find("g1")).toBeUndefined();
    });
  });

  it("never returns an expired entry, and sweeps it from memory and disk", async () => {
    const dir = freshDir();
    await withStore(dir, async (store) => {
      const sessions = store.adapter("Session");
      const devices = store.adapter("DeviceCode");
      await sessions.upsert("short", { uid: "u-short" }, 1);
      await sessions.upsert("long", { uid: "u-long" }, 3600);
      await devices.upsert("d1", { userCode: "ABCD-EFGH" }, 1);
      expect(await devices.findByUserCode("ABCD-EFGH")).toEqual({ userCode: "ABCD-EFGH" });
      await sleep(1_100);
      expect(await sessions.find("short")).toBeUndefined();
      expect(await sessions.findByUid("u-short")).toBeUndefined();
      expect(await devices.findByUserCode("ABCD-EFGH")).toBeUndefined();
      await store.sweep();
    });
    const onDisk = (model: string) => JSON.parse(readFileSync(join(dir, `${model}.json`), "utf8"));
    expect(Object.keys(onDisk("Session"))).toEqual(["long"]);
    expect(onDisk("DeviceCode")).toEqual({});
  });

  it("drops entries that expired while the provider was down", async () => {
    const dir = freshDir();
    await withStore(dir, (store) => store.adapter("Interaction").upsert("i1", { uid: "i1" }, 1));
    await sleep(1_100);
    await withStore(dir, async (store) => {
      expect(await store.adapter("Interaction").find("i1")).toBeUndefined();
    });
  });

  it("loses no change when many requests write at once, and leaves no temporary file", async () => {
    const dir = freshDir();
    await withStore(dir, async (store) => {
      const sessions = store.adapter("Session");
      await Promise.all(
        Array.from({ length: 200 }, (_, n) =>
          n % 10 === 9 ? sessions.destroy(`s${n - 1}`) : sessions.upsert(`s${n}`, { uid: `u${n}` }, 3600),
        ),
      );
    });
    expect(readdirSync(dir)).toEqual(["Session.json"]);
    await withStore(dir, async (store) => {
      const sessions = store.adapter("Session");
      for (let n = 0; n < 200; n++) {
        const kept = n % 10 !== 9 && n % 10 !== 8;
        expect(await sessions.find(`s${n}`)).toEqual(kept ? { uid: `u${n}` } : undefined);
      }
    });
  });
});
