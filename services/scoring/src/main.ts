import { runServiceProcess } from "@okr/service-kit";
import { scoringService } from "./service.ts";

await runServiceProcess(scoringService);
