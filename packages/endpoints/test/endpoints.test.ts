import { describe, expect, it } from "vitest";
import {
  componentsGivenByEnvironment,
  mergeEndpoints,
  nativeEndpoints,
  SERVICE_DATABASES,
} from "../src/index.ts";

describe("service databases given by the environment", () => {
  const env = {
    GOALS_DATABASE_URL: "postgresql://okr:okr@db.example:6543/goals",
    SCORING_DATABASE_URL: "postgresql://okr:okr@other.example:5432/scores",
  };

  it("counts Postgres as given by the goals database", () => {
    expect(componentsGivenByEnvironment(env).has("postgres")).toBe(true);
    expect(componentsGivenByEnvironment({}).has("postgres")).toBe(false);
  });

  it("uses the URLs given and puts the others on the goals database's server under their own names", () => {
    const merged = mergeEndpoints(nativeEndpoints(), env);
    expect(merged.SCORING_DATABASE_URL).toBe(env.SCORING_DATABASE_URL);
    expect(merged.VALUE_STREAM_DATABASE_URL).toBe("postgresql://okr:okr@db.example:6543/value_stream");
    expect(merged.NOTIFIER_DATABASE_URL).toBe("postgresql://okr:okr@db.example:6543/notifier");
  });

  it("leaves the native defaults when no database is given", () => {
    const merged = mergeEndpoints(nativeEndpoints(), {});
    for (const { env: name } of SERVICE_DATABASES) expect(merged[name]).toBe(nativeEndpoints()[name]);
  });
});
