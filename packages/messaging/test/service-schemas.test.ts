import { lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MESSAGING_TABLES_SQL } from "../src/index.ts";

const services = new URL("../../../services/", import.meta.url);
const databaseServices = readdirSync(services).filter((name) =>
  readdirSync(new URL(`${name}/`, services)).includes("prisma"),
);
const sharedSql = new URL("../sql/messaging-tables.sql", import.meta.url);
const modelsBlock = readFileSync(new URL("../prisma-models.prisma", import.meta.url), "utf8");

/** Every service database carries the messaging tables exactly as the messaging package defines them. */
describe.each(databaseServices)("service %s", (service) => {
  it("applies the messaging tables as its first migration, linked to the one file", () => {
    const migrations = readdirSync(new URL(`${service}/prisma/migrations/`, services))
      .filter((name) => /^\d{14}_/.test(name))
      .sort();
    expect(migrations[0]).toMatch(/_messaging_tables$/);
    const file = new URL(`${service}/prisma/migrations/${migrations[0]}/migration.sql`, services);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(realpathSync(file)).toBe(realpathSync(fileURLToPath(sharedSql)));
    expect(readFileSync(file, "utf8")).toBe(MESSAGING_TABLES_SQL);
  });

  it("declares the messaging models verbatim in schema.prisma (no drift for Prisma)", () => {
    const schema = readFileSync(new URL(`${service}/prisma/schema.prisma`, services), "utf8");
    expect(schema).toContain(modelsBlock.trim());
  });
});

// At least these: a service added later (npm run new-service) is checked above as well.
it("covers every database-owning service", () => {
  expect(databaseServices).toEqual(expect.arrayContaining(["goals", "notifier", "scoring", "value-stream"]));
});
