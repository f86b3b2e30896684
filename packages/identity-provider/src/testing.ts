import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type IdentityProviderOptions,
  type RunningIdentityProvider,
  startIdentityProvider,
} from "./provider.ts";

/**
 * A provider for a test or a benchmark: on a free port unless `port` is given, with its keys and state in
 * a fresh folder under the system's temp folder (`dataDir`, for a restart on the same keys), which
 * `close()` removes.
 */
export async function startTemporaryIdentityProvider(
  options: Omit<IdentityProviderOptions, "dataDir" | "port"> & { port?: number },
): Promise<RunningIdentityProvider & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "okr-idp-"));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const provider = await startIdentityProvider({ port: 0, ...options, dataDir }).catch((error: unknown) => {
    removeDataDir();
    throw error;
  });
  return {
    ...provider,
    dataDir,
    async close() {
      await provider.close();
      removeDataDir();
    },
  };
}
