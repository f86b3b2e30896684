import type { TestService } from "@okr/testkit";
import type { ValueStreamDb } from "../src/database.ts";

export type Api = ReturnType<typeof apiFor>;

/** A client for one tenant and role set on the shared test service. */
export function apiFor(service: TestService<ValueStreamDb>, token: string) {
  const call = async (
    method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
    url: string,
    payload?: unknown,
  ) => {
    const response = await service.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      json: () => response.json(),
    };
  };
  return {
    get: (url: string) => call("GET", url),
    post: (url: string, payload: unknown = {}) => call("POST", url, payload),
    patch: (url: string, payload: unknown) => call("PATCH", url, payload),
    put: (url: string, payload: unknown) => call("PUT", url, payload),
    delete: (url: string) => call("DELETE", url),
  };
}

export const step = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  classification: "value-adding",
  processMinutes: 10,
  waitMinutes: 30,
  percentCompleteAccurate: 0.9,
  ...extra,
});

/** A family and a stream with the given current-state steps; returns the stream and its step ids. */
export async function createStream(api: Api, steps: unknown[], settings: Record<string, unknown> = {}) {
  const family = await api.post("/product-families", {
    name: "Mortgages",
    customer: "home buyers",
    valueStatement: "a yes or no on my mortgage within a day, right first time",
  });
  if (family.status !== 201) throw new Error(`family: ${family.body}`);
  const stream = await api.post("/streams", {
    familyId: family.json().id,
    name: "Mortgage approval",
    dailyDemand: 20,
    availableMinutesPerDay: 480,
    steps,
    ...settings,
  });
  if (stream.status !== 201) throw new Error(`stream: ${stream.body}`);
  const map = await api.get(`/maps/${stream.json().currentMapId}`);
  return {
    familyId: family.json().id as string,
    streamId: stream.json().id as string,
    mapId: stream.json().currentMapId as string,
    stepIds: (map.json().steps as { id: string }[]).map((s) => s.id),
  };
}
