import { afterAll, describe, expect, it } from "vitest";
import { serviceCaller } from "../src/http.ts";
import { startWhoamiService } from "./whoami-service.ts";

const auth = { secret: "worker-test-secret-of-some-length", issuer: "okr-test" };
const tenantId = "44444444-4444-4444-8444-444444444444";

/** A service with the platform's token rules and a two-second lifetime cap. */
const { app, baseUrl, seen } = await startWhoamiService("worker-http-test", "a service the worker calls", {
  ...auth,
  maxTokenLifetimeSeconds: 2,
});
afterAll(() => app.close());

describe("the worker's service tokens", () => {
  it("fit the services' lifetime cap and are signed again before they expire", async () => {
    const caller = serviceCaller({ baseUrl, auth, tokenLifetimeSeconds: 2 });
    const first = await caller.call(tenantId, "GET", "/whoami");
    expect(first).toEqual({ status: 200, body: { tenantId, roles: ["service"] } });
    // Past the first token's expiry: the caller has signed a new one instead of sending the old.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await caller.call(tenantId, "GET", "/whoami")).status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
  });

  it("are refused by a service whose cap is shorter than the lifetime asked for", async () => {
    const caller = serviceCaller({ baseUrl, auth, tokenLifetimeSeconds: 60 });
    await expect(caller.call(tenantId, "GET", "/whoami")).rejects.toThrow(/answered 401.*at most 2 s/);
  });
});
