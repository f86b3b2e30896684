import { ConfigError, type ConfigProblem } from "../src/index.ts";

/** A service's environment that loads: each test changes what it is about. */
export const validServiceEnv = {
  DATABASE_URL: "postgresql://okr:secret@127.0.0.1:5432/goals",
  KAFKA_BROKERS: "127.0.0.1:9092,kafka-2:9092",
  TEMPORAL_ADDRESS: "127.0.0.1:7233",
  AUTH_JWT_SECRET: "a-secret-of-enough-length",
};

/** The problems of the ConfigError `load` throws; it failing to throw one fails the test. */
export function problemsOf(load: () => unknown): ConfigProblem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
