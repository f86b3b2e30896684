import { readFileSync } from "node:fs";
import { OKR_SEARCH_ATTRIBUTES } from "@okr/cycle-workflows/search-attributes";
import { SERVICE_DATABASES } from "@okr/endpoints";
import { KAFKA_VERSION } from "@okr/native-infra/kafka";
import { describe, expect, it } from "vitest";
import { IMAGES } from "../cli/containers.ts";
import { PROCESSES } from "../cli/start.ts";

/** The Docker path (compose, testcontainers) and the native path must describe the same platform. */
const compose = readFileSync(new URL("../../docker-compose.yml", import.meta.url), "utf8");
const pom = readFileSync(new URL("../../packages/native-infra/kafka/pom.xml", import.meta.url), "utf8");

describe("docker-compose.yml and the native path agree", () => {
  it("registers every search attribute the workflows upsert", () => {
    for (const [name, type] of Object.entries(OKR_SEARCH_ATTRIBUTES)) {
      expect(compose).toContain(`--search-attribute=${name}=${type}`);
    }
  });

  it("runs the same Kafka version as the native broker and testcontainers", () => {
    expect(pom).toContain(`<kafka.version>${KAFKA_VERSION}</kafka.version>`);
    expect(compose).toContain(`image: apache/kafka:${KAFKA_VERSION}`);
    expect(IMAGES.kafka).toBe(`apache/kafka:${KAFKA_VERSION}`);
  });

  it("starts every process `npm start` starts, with its port and database", () => {
    // The compose path runs no identity provider yet (docs/identity.md), so nothing people sign in to.
    for (const process of PROCESSES.filter((p) => !p.needsIdentity)) {
      expect(compose).toContain(`command: ["node", "${process.entry}"]`);
      if (process.port) expect(compose).toContain(`PORT: ${process.port}`);
    }
    for (const { database } of SERVICE_DATABASES) {
      expect(compose).toContain(`@postgres:5432/${database}"`);
      expect(readFileSync(new URL("../docker/postgres-init.sql", import.meta.url), "utf8")).toContain(
        `CREATE DATABASE ${database};`,
      );
    }
  });
});
