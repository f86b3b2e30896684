import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describeModes, resolveTestInfrastructure } from "./infrastructure.ts";
import { removeScratchResources } from "./scratch.ts";
import { generatePrismaClients, ROOT, runInherited } from "./workspace.ts";

/** `npm run bench [-- name]`: every bench/src/*.bench.ts (or those whose name contains `name`), one after another. */
export async function bench(cacheDir: string, args: string[]): Promise<number> {
  await generatePrismaClients();
  const infra = await resolveTestInfrastructure(cacheDir, process.env);
  console.error(`okr bench: infrastructure ready (${describeModes(infra.modes)})`);
  const dir = join(ROOT, "bench", "src");
  const files = readdirSync(dir)
    .filter(
      (file) => file.endsWith(".bench.ts") && (args.length === 0 || args.some((name) => file.includes(name))),
    )
    .sort();
  let failed = 0;
  try {
    for (const file of files) {
      console.log(`\n== ${file}`);
      const code = await runInherited(process.execPath, [join(dir, file)], {
        ...infra.endpoints,
        OKR_CACHE_DIR: cacheDir,
      });
      if (code !== 0) failed++;
    }
  } finally {
    console.error(`okr bench: removed scratch ${await removeScratchResources(infra.endpoints)}`);
    if (process.env.CI) await infra.stop();
  }
  return failed === 0 ? 0 : 1;
}
