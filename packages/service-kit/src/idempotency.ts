import { createHash } from "node:crypto";
import { isDatabaseUnavailable, type SqlRunner } from "@okr/database";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { badRequest, conflict, unprocessable } from "./problem.ts";

export interface IdempotencyOptions {
  /** Where the keys live (the service's pg pool). */
  db: SqlRunner;
  /** A claim older than this is taken over (its request died before answering). */
  staleClaimMs?: number;
}

const HEADER = "idempotency-key";
const IN_PROGRESS = 0;

declare module "fastify" {
  interface FastifyRequest {
    idempotencyClaim?: { tenantId: string; key: string };
  }
}

const requestHash = (request: FastifyRequest) =>
  createHash("sha256")
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest("hex");

/**
 * Honours `Idempotency-Key` on every POST: the first request claims the key (tenant-scoped) before the
 * route runs, its answer (any status below 500) is stored, and a retry with the same key and body gets
 * that stored answer with `Idempotent-Replayed: true` instead of writing twice. The same key with a
 * different body is a 422; a retry while the first is still running is a 409. A 5xx or a thrown error
 * releases the claim so the client can retry.
 */
export function registerIdempotencyKeys(app: FastifyInstance, options: IdempotencyOptions): void {
  const staleClaimMs = options.staleClaimMs ?? 60_000;
  const { db } = options;

  app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== "POST" || !request.principal) return;
    const header = request.headers[HEADER];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > 200) throw badRequest("Idempotency-Key must be 1 to 200 characters");
    const tenantId = request.principal.tenantId;
    const hash = requestHash(request);

    const claimed = await db.query(
      `INSERT INTO "idempotency_keys" ("tenant_id", "key", "request_hash", "status_code", "response_body")
       VALUES ($1, $2, $3, ${IN_PROGRESS}, 'null'::jsonb)
       ON CONFLICT ("tenant_id", "key") DO UPDATE
         SET "request_hash" = EXCLUDED."request_hash", "created_at" = CURRENT_TIMESTAMP
         WHERE "idempotency_keys"."status_code" = ${IN_PROGRESS}
           AND "idempotency_keys"."created_at" < CURRENT_TIMESTAMP - make_interval(secs => $4)
       RETURNING 1`,
      [tenantId, key, hash, staleClaimMs / 1000],
    );
    if (claimed.rowCount === 1) {
      request.idempotencyClaim = { tenantId, key };
      return;
    }
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT "request_hash", "status_code", "response_body" FROM "idempotency_keys" WHERE "tenant_id" = $1 AND "key" = $2`,
      [tenantId, key],
    );
    const stored = rows[0];
    if (!stored)
      throw conflict(
        "idempotency-key-released",
        "the request with this Idempotency-Key was just released; retry it",
      );
    if (stored.request_hash !== hash) {
      throw unprocessable(
        "idempotency-key-reused",
        "this Idempotency-Key was already used for a different request",
      );
    }
    if (stored.status_code === IN_PROGRESS) {
      throw conflict(
        "idempotency-key-in-progress",
        "a request with this Idempotency-Key is still in progress; retry later",
      );
    }
    const body = stored.response_body;
    const isProblem = Number(stored.status_code) >= 400;
    return reply
      .status(Number(stored.status_code))
      .header("idempotent-replayed", "true")
      .type(isProblem ? "application/problem+json" : "application/json")
      .serializer(JSON.stringify)
      .send(body);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    try {
      if (reply.statusCode >= 500 || typeof payload !== "string") {
        await release(db, claim);
        return payload;
      }
      await db.query(
        `UPDATE "idempotency_keys" SET "status_code" = $3, "response_body" = $4::jsonb WHERE "tenant_id" = $1 AND "key" = $2`,
        [claim.tenantId, claim.key, reply.statusCode, payload === "" ? "null" : payload],
      );
    } catch (error) {
      // The database went away after the route answered: the answer still goes out (a committed write
      // must not read as a failure), and the claim is taken over once stale.
      if (!isDatabaseUnavailable(error)) throw error;
      request.log.warn({ err: error }, "idempotency key not recorded: database unavailable");
    }
    return payload;
  });

  // A request that dies without answering (aborted connection) must not hold its claim until it is stale.
  app.addHook("onResponse", async (request) => {
    if (!request.idempotencyClaim) return;
    await release(db, request.idempotencyClaim).catch((error: unknown) => {
      if (!isDatabaseUnavailable(error)) throw error;
    });
  });
}

function release(db: SqlRunner, claim: { tenantId: string; key: string }) {
  return db.query(
    `DELETE FROM "idempotency_keys" WHERE "tenant_id" = $1 AND "key" = $2 AND "status_code" = ${IN_PROGRESS}`,
    [claim.tenantId, claim.key],
  );
}
