import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** A new signing secret as the Standard Webhooks spec writes them: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString("base64")}`;
}

/**
 * The webhook-signature header (https://www.standardwebhooks.com): per secret `v1,` and the base64
 * HMAC-SHA256 of `id.timestamp.body` keyed with the secret's bytes; several secrets (the new and the
 * old one during a rotation's grace period) give several signatures, space-separated, any of which a
 * receiver may verify.
 */
export function webhookSignature(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
      return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
    })
    .join(" ");
}
