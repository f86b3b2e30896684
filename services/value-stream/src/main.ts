import { runServiceProcess } from "@okr/service-kit";
import { valueStreamService } from "./service.ts";

await runServiceProcess(valueStreamService);
