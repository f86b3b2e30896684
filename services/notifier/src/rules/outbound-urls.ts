import { BlockList, isIP } from "node:net";

export type ChatKind = "slack" | "teams";
export type OutboundKind = ChatKind | "webhook";

/**
 * Where each chat platform's incoming webhooks live: Slack's on hooks.slack.com; Teams' classic incoming
 * webhooks under webhook.office.com, its workflow (Power Automate) URLs under logic.azure.com or
 * api.powerplatform.com. A URL elsewhere is a mistake (or an attempt to make the notifier post
 * somewhere else), so it is refused.
 */
const CHAT_HOSTS: Record<ChatKind, (host: string) => boolean> = {
  slack: (host) => host === "hooks.slack.com",
  teams: (host) =>
    [".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com"].some((suffix) =>
      host.endsWith(suffix),
    ),
};

/**
 * Addresses a notifier must not be pointed at from outside: its own machine and private networks.
 * An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is checked against the IPv4 rules by BlockList itself.
 */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const)
  PRIVATE.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
] as const)
  PRIVATE.addSubnet(network, prefix, "ipv6");

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

const MAX_URL_LENGTH = 2000;

/**
 * Why `raw` cannot be a `kind` target, or null when it can. Without `allowLocal` (development and
 * tests only) a target is https, names no credentials, is no loopback or private address, and a chat
 * channel is on its platform's webhook host. A name that resolves to a private address is refused
 * when sending (delivery/post.ts), since what it resolves to can change after this check.
 */
export function outboundUrlProblem(kind: OutboundKind, raw: string, allowLocal: boolean): string | null {
  if (raw.length > MAX_URL_LENGTH) return `the URL is longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not an absolute URL";
  }
  if (url.protocol !== "https:" && !(allowLocal && url.protocol === "http:"))
    return allowLocal ? "the URL must be http(s)" : "the URL must be https";
  if (url.username || url.password) return "the URL must not carry a user name or password";
  if (allowLocal) return null;
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return "the URL must not point at this machine";
  if (isPrivateAddress(host)) return "the URL must not point at a loopback or private address";
  if (kind !== "webhook" && !CHAT_HOSTS[kind](host))
    return kind === "slack"
      ? "a Slack incoming webhook is on hooks.slack.com"
      : "a Teams webhook is on webhook.office.com, logic.azure.com or api.powerplatform.com";
  return null;
}

/**
 * A chat URL as the API shows it: scheme and host, then only its last four characters. The whole URL
 * lets anyone post to the channel, so it is never echoed back.
 */
export function maskUrl(raw: string): string {
  const url = new URL(raw);
  const rest = `${url.pathname}${url.search}`;
  return `${url.origin}/…${rest.length > 8 ? rest.slice(-4) : ""}`;
}
