import { defineConfig } from "vitest/config";

// One run over every workspace: unit tests need nothing, integration tests read the
// infrastructure endpoints that `okr test` (infra/bin/okr) exports before calling vitest.
export default defineConfig({
  test: {
    projects: ["packages/*", "services/*"],
  },
});
