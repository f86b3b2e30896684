import { runServiceProcess } from "@okr/service-kit";
import { goalsService } from "./service.ts";

await runServiceProcess(goalsService);
