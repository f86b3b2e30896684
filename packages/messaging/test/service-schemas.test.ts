import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MESSAGING_TABLES_SQL } from "../src/index.ts";

const services = new URL("../../../services/", import.meta.url);
const databaseServices = readdirSync(services).filter((name) =>
  readdirSync(new URL(`${name}/`, services)).includes("prisma"),
);
const modelsBlock = readFileSync(new URL("../prisma-models.prisma", import.meta.url), "utf8");

/** Every service database carries the messaging tables exactly as the messaging package defines them. */
describe.each(databaseServices)("service %s", (service) => {
  it("applies the messaging tables verbatim as its first migration", () => {
    const migrations = readdirSync(new URL(`${service}/prisma/migrations/`, services))
      .filter((name) => /^\d{14}_/.test(name))
      .sort();
    expect(migrations[0]).toMatch(/_messaging_tables$/);
    const sql = readFileSync(
      new URL(`${service}/prisma/migrations/${migrations[0]}/migration.sql`, services),
      "utf8",
    );
    expect(sql).toBe(MESSAGING_TABLES_SQL);
  });

  it("declares the messaging models verbatim in schema.prisma (no drift for Prisma)", () => {
    const schema = readFileSync(new URL(`${service}/prisma/schema.prisma`, services), "utf8");
    expect(schema).toContain(modelsBlock.trim());
  });
});

it("covers all four database-owning services", () => {
  expect(databaseServices.sort()).toEqual(["goals", "notifier", "scoring", "value-stream"]);
});
