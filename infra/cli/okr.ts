/**
 * The project's command line, run by infra/bin/okr on Node >= 22.12:
 *   okr start            infrastructure, migrations, services, worker, demo organization; Ctrl-C stops it all
 *   okr test             lint, typecheck, then every unit, integration and end-to-end test; one summary line
 *   okr bench            the benchmarks under bench/, printing their figures
 *   okr infra up|down    only the infrastructure (prints the endpoints to export)
 *   okr new-service <n>  a new service under services/<n> from infra/scaffold/template
 */

import { cacheDir } from "@okr/endpoints";
import { stopIdentityProvider } from "@okr/native-infra/identity";
import { stopKafka } from "@okr/native-infra/kafka";
import { stopPostgres } from "@okr/native-infra/postgres";
import { MissingPrerequisiteError } from "@okr/native-infra/processes";
import { stopTemporal } from "@okr/native-infra/temporal";
import { ensureNativeInfrastructure } from "./infrastructure.ts";

const cache = cacheDir();

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "infra":
      return infraCommand(rest[0]);
    case "start":
      return (await import("./start.ts")).start(cache);
    case "test":
      return (await import("./test.ts")).test(cache, rest);
    case "bench":
      return (await import("./bench.ts")).bench(cache, rest);
    case "new-service":
      return (await import("./scaffold.ts")).newService(rest);
    default:
      console.error(
        "usage: okr start | test [vitest filters] | bench [name] | infra up|down | new-service <name>",
      );
      return 2;
  }
}

async function infraCommand(action: string | undefined): Promise<number> {
  if (action === "up") {
    const infra = await ensureNativeInfrastructure(cache, process.env);
    for (const [name, value] of Object.entries(infra.endpoints)) console.log(`export ${name}=${value}`);
    return 0;
  }
  if (action === "down") {
    await stopIdentityProvider(cache);
    await stopTemporal(cache);
    await stopKafka(cache);
    stopPostgres(cache);
    return 0;
  }
  console.error("usage: okr infra up|down");
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MissingPrerequisiteError) console.error(`okr: ${error.message}`);
    else console.error("okr:", error);
    process.exit(1);
  },
);
