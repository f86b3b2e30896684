import { Problem } from "@okr/service-kit";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { LiveFeed } from "./live.ts";
import type { SessionGuard } from "./session-guard.ts";
import type { Session } from "./sessions.ts";

/** A comment line this often keeps proxies from closing an idle stream and finds sessions that ended. */
const HEARTBEAT_MS = 20_000;
/** How long the browser waits before it reconnects a dropped stream. */
const RECONNECT_MS = 5_000;
/** Streams one session may hold open (a few tabs); more is a runaway page. */
const STREAMS_PER_SESSION = 6;
/** A client that does not read falls this far behind before its stream is ended (it reconnects later). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface LiveRouteOptions {
  guard: SessionGuard;
  /** Undefined when the app runs without a broker: pages then work without live updates. */
  feed: LiveFeed | undefined;
  /** The tenant the session's person acts in, as the services see it. */
  tenantOf: (session: Session, reply: FastifyReply) => Promise<string>;
  sessionAlive: (session: Session) => boolean;
}

/**
 * GET /live: server-sent events of the signed-in person's organization (scores and at-risk flags), so open
 * pages update without a reload. Read-only, so no CSRF token; the session cookie (SameSite=Lax) and the
 * tenant the services answer for that session decide what the stream carries.
 */
export function registerLiveRoute(app: FastifyInstance, options: LiveRouteOptions): void {
  const { guard, feed } = options;
  const open = new Set<() => void>();
  const perSession = new Map<string, number>();

  // Streams never finish on their own: shutdown ends them so the server can close.
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });

  app.get("/live", async (request, reply) => {
    const session = guard.require(request);
    // 204 tells EventSource not to reconnect: without a broker this instance has nothing to stream.
    if (!feed) return reply.status(204).send();
    if ((perSession.get(session.id) ?? 0) >= STREAMS_PER_SESSION)
      throw new Problem(429, "too-many-streams", "Too many live streams", "close other tabs of this app");
    const tenantId = await options.tenantOf(session, reply);

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    raw.write(`retry: ${RECONNECT_MS}\n: live\n\n`);
    perSession.set(session.id, (perSession.get(session.id) ?? 0) + 1);

    let ended = false;
    const send = (text: string) => {
      if (raw.writableLength > MAX_BUFFERED_BYTES) end();
      else raw.write(text);
    };
    const unsubscribe = feed.subscribe(tenantId, (event) =>
      send(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`),
    );
    const heartbeat = setInterval(() => {
      if (options.sessionAlive(session)) send(": keep-alive\n\n");
      else end();
    }, HEARTBEAT_MS);
    function end() {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
      const left = (perSession.get(session.id) ?? 1) - 1;
      if (left > 0) perSession.set(session.id, left);
      else perSession.delete(session.id);
      raw.end();
    }
    open.add(end);
    request.raw.on("close", end);
  });
}

/**
 * The session's tenant as goals answers it (GET /me), asked once per session: which claim names the
 * tenant is each issuer's configuration in the services, not this app's to repeat.
 */
export function tenantFromGoals(goalsUrl: string, guard: SessionGuard): LiveRouteOptions["tenantOf"] {
  return async (session, reply) => {
    if (session.tenantId) return session.tenantId;
    const token = await guard.accessToken(session, reply);
    const answer = await fetch(`${goalsUrl.replace(/\/$/, "")}/me`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    }).catch(() => undefined);
    if (!answer || answer.status >= 500) {
      reply.header("retry-after", "5");
      throw new Problem(
        503,
        "service-unavailable",
        "Service unavailable",
        "the goals service did not answer",
      );
    }
    const me = answer.ok ? ((await answer.json()) as { tenantId?: unknown }) : {};
    if (typeof me.tenantId !== "string")
      throw new Problem(
        403,
        "not-a-person",
        "Forbidden",
        "live updates follow a person of the organization; this sign-in is not linked to one yet",
      );
    session.tenantId = me.tenantId;
    return me.tenantId;
  };
}
