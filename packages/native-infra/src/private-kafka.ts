import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { cacheDir } from "@okr/endpoints";
import { ensureKafka, type KafkaInstance, kafkaDataDir, stopKafka } from "./kafka.ts";

export interface ControllableBroker {
  brokers: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A broker of this test's own (a second native KRaft broker on its own ports), so a fault test can stop
 * and restart the real thing without disturbing tests that share the platform broker. It starts from an
 * empty data directory on every run, and keeps its ports across stop/start so clients can reconnect.
 */
export async function startPrivateKafka(name: string): Promise<ControllableBroker> {
  const [port, controllerPort] = await twoFreePortsBelowEphemeralRange();
  const instance: KafkaInstance = { name, host: "127.0.0.1", port, controllerPort };
  const dir = cacheDir();
  await stopKafka(dir, instance); // a broker a killed run left behind
  rmSync(kafkaDataDir(dir, instance), { recursive: true, force: true });
  await ensureKafka(dir, instance);
  return {
    brokers: `${instance.host}:${instance.port}`,
    stop: async () => {
      await stopKafka(dir, instance);
    },
    start: async () => {
      await ensureKafka(dir, instance);
    },
  };
}

/**
 * Free TCP ports on 127.0.0.1 below 32768, where Linux (32768-60999) and macOS (49152-65535) never hand
 * out ports to outgoing connections: a port in those ranges can be taken by any client socket of the
 * test run between the check and the bind, or while the broker is stopped.
 */
async function twoFreePortsBelowEphemeralRange(from = 29_100, to = 32_700): Promise<[number, number]> {
  const ports: number[] = [];
  for (let port = from; port < to; port++) {
    if (await canListen(port)) ports.push(port);
    const [first, second] = ports;
    if (first !== undefined && second !== undefined) return [first, second];
  }
  throw new Error(`no two free ports on 127.0.0.1 in ${from}-${to}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}
