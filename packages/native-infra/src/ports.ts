import { createServer } from "node:net";

/**
 * Free TCP ports on 127.0.0.1 below 32768, where Linux (32768-60999) and macOS (49152-65535) never hand
 * out ports to outgoing connections: a port in those ranges can be taken by any client socket of the
 * test run between the check and the bind, or while the server is stopped.
 */
export async function freePortsBelowEphemeralRange(
  count: number,
  from: number,
  to = 32_700,
): Promise<number[]> {
  const ports: number[] = [];
  for (let port = from; port < to; port++) {
    if (await canListen(port)) ports.push(port);
    if (ports.length === count) return ports;
  }
  throw new Error(`no ${count} free ports on 127.0.0.1 in ${from}-${to}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}
