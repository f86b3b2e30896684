import { readFileSync } from "node:fs";

/** The messaging tables' DDL; every service's first migration is a verbatim copy (see sql/messaging-tables.sql). */
export const MESSAGING_TABLES_SQL = readFileSync(
  new URL("../sql/messaging-tables.sql", import.meta.url),
  "utf8",
);
