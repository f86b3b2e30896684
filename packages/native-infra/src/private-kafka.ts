import { rmSync } from "node:fs";
import { cacheDir } from "@okr/endpoints";
import { ensureKafka, type KafkaInstance, kafkaDataDir, killKafka, stopKafka } from "./kafka.ts";
import { freePortsBelowEphemeralRange } from "./ports.ts";

export interface ControllableBroker {
  brokers: string;
  stop(): Promise<void>;
  /** Starts the broker (again), keeping its data directory; resolves once it answers. */
  start(): Promise<void>;
  /** SIGKILL: the broker dies as in a crash, without a controlled shutdown. */
  kill(): Promise<void>;
}

/**
 * A broker of this test's own (a second native KRaft broker on its own ports), so a fault test can stop
 * and restart the real thing without disturbing tests that share the platform broker. It starts from an
 * empty data directory on every run, and keeps its ports across stop/start so clients can reconnect.
 * With `{ started: false }` only its address is chosen: a test can start clients before the broker.
 */
export async function startPrivateKafka(
  name: string,
  options: { started?: boolean } = {},
): Promise<ControllableBroker> {
  const [port, controllerPort] = (await freePortsBelowEphemeralRange(2, 29_100)) as [number, number];
  const instance: KafkaInstance = { name, host: "127.0.0.1", port, controllerPort };
  const dir = cacheDir();
  await stopKafka(dir, instance); // a broker a killed run left behind
  rmSync(kafkaDataDir(dir, instance), { recursive: true, force: true });
  if (options.started ?? true) await ensureKafka(dir, instance);
  return {
    brokers: `${instance.host}:${instance.port}`,
    stop: async () => {
      await stopKafka(dir, instance);
    },
    start: async () => {
      await ensureKafka(dir, instance);
    },
    kill: async () => {
      await killKafka(dir, instance);
    },
  };
}
