import { connect, createServer, type Server } from "node:net";

/** A local port nothing listens on right now: for a process a test spawns, or a proxy it opens later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Forwards 127.0.0.1:`port` to `upstream` (host:port). A dependency "comes up" for a process under test
 * when the proxy on the address it was given starts listening; close the returned server to end it.
 */
export async function startTcpProxy(port: number, upstream: string): Promise<Server> {
  const [host, upstreamPort] = upstream.split(":");
  const proxy = createServer((socket) => {
    const target = connect(Number(upstreamPort), host);
    socket.pipe(target).pipe(socket);
    socket.on("error", () => target.destroy());
    target.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
  return proxy;
}
