import { runServiceProcess } from "@okr/service-kit";
import { notifierService } from "./service.ts";

await runServiceProcess(notifierService);
