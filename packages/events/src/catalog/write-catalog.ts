import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ALL_EVENTS } from "./all-events.ts";
import { buildAsyncApiDocument } from "./asyncapi.ts";

/** `npm run catalog -w @okr/events` regenerates catalog/asyncapi.json; a test fails while it is stale. */
export const CATALOG_PATH = fileURLToPath(new URL("../../catalog/asyncapi.json", import.meta.url));

export function renderCatalog(): string {
  return `${JSON.stringify(buildAsyncApiDocument(ALL_EVENTS), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(CATALOG_PATH, renderCatalog());
  console.log(`wrote ${CATALOG_PATH}`);
}
