import { readFileSync } from "node:fs";
import { clientCredentialsProblems, isConfigProblems, parseTrustedIssuers } from "@okr/config";
import { OKR_SEARCH_ATTRIBUTES } from "@okr/cycle-workflows/search-attributes";
import { NATIVE_SERVICE_PORTS, nativeIdentityIssuer, SERVICE_DATABASES } from "@okr/endpoints";
import { DEFAULT_WEB_REDIRECT_URI, localIssuerTrust, SERVICE_CLIENT_ID } from "@okr/identity-provider";
import { startTemporaryIdentityProvider } from "@okr/identity-provider/testing";
import { KAFKA_VERSION } from "@okr/native-infra/kafka";
import { docsRedirectUri } from "@okr/service-kit";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { IMAGES } from "../cli/containers.ts";
import { PROCESSES } from "../cli/start.ts";

/** The Docker path (compose, testcontainers) and the native path must describe the same platform. */
const compose = readFileSync(new URL("../../docker-compose.yml", import.meta.url), "utf8");
const pom = readFileSync(new URL("../../packages/native-infra/kafka/pom.xml", import.meta.url), "utf8");
const dockerfile = readFileSync(new URL("../docker/Dockerfile", import.meta.url), "utf8");

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
}
const services = (parse(compose, { merge: true }) as { services: Record<string, ComposeService> }).services;
const environment = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [key, String(value)]),
  );
/** What npm start runs, all of which docker-compose.yml runs too. */
const composed = PROCESSES;
/** The compose services that run a process of `npm start`. */
const platform = composed.map((process) => {
  const name = Object.keys(services).find((key) => services[key]?.command?.join(" ").includes(process.entry));
  if (!name) throw new Error(`docker-compose.yml runs no ${process.entry}`);
  return name;
});
/** Those that take the platform's access tokens (all but the web app, where people sign in). */
const resourceServers = platform.filter((name) => !PROCESSES.find((p) => p.name === name)?.needsIdentity);

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
    for (const process of composed) {
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

describe("docker-compose.yml's identity provider", () => {
  const identity = environment("identity");
  const inNetwork = `http://identity:${identity.OIDC_PORT}`;

  it("runs the local provider from the platform image, under the issuer the native path uses", () => {
    expect(services.identity?.image).toBe("okr-platform:dev");
    expect(services.identity?.command).toEqual(["node", "packages/identity-provider/src/main.ts", "serve"]);
    expect(identity.OIDC_ISSUER).toBe(nativeIdentityIssuer);
    // Browsers reach the issuer on the published port, which is the one the provider listens on.
    const { port } = new URL(nativeIdentityIssuer);
    expect(identity.OIDC_PORT).toBe(port);
    expect(services.identity?.ports).toContain(`${port}:${port}`);
    // Its state is in a volume; its accounts are the demo people, written into the image.
    expect(services.identity?.volumes).toContainEqual(expect.stringMatching(`:${identity.OIDC_DATA_DIR}$`));
    expect(dockerfile).toContain(`node infra/demo/write-accounts.ts ${identity.OIDC_ACCOUNTS_FILE}`);
    expect(dockerfile).toContain(`chown node:node ${identity.OIDC_DATA_DIR}`);
  });

  it("leaves the services no shared HS256 secret", () => {
    expect(compose).not.toContain("AUTH_JWT_SECRET");
    for (const name of Object.keys(services)) expect(environment(name)).not.toHaveProperty("AUTH_JWT_SECRET");
  });

  it("has every service trust the provider, fetching its keys at its in-network address", async () => {
    const idp = await startTemporaryIdentityProvider({
      issuer: nativeIdentityIssuer,
      accounts: [],
      webRedirectUris: ["http://127.0.0.1:1/callback"],
      serviceClientSecret: "unused",
    });
    try {
      // Where this provider publishes its keys and takes token requests, as its discovery document says.
      const discovery = (await (
        await fetch(`http://127.0.0.1:${idp.port}/.well-known/openid-configuration`)
      ).json()) as { jwks_uri: string; token_endpoint: string };
      const atIdentity = (url: string) => `${inNetwork}${new URL(url).pathname}`;
      for (const name of resourceServers) {
        const issuers = parseTrustedIssuers(environment(name).AUTH_ISSUERS);
        expect(isConfigProblems(issuers), name).toBe(false);
        expect(issuers, name).toEqual([
          { ...localIssuerTrust(nativeIdentityIssuer), jwksUri: atIdentity(discovery.jwks_uri) },
        ]);
      }

      // Authorize on each service's /docs comes back to a redirect URI the provider accepts.
      const redirects = String(identity.OIDC_WEB_REDIRECT_URIS).split(",");
      expect(redirects).toContain(DEFAULT_WEB_REDIRECT_URI);
      for (const port of Object.values(NATIVE_SERVICE_PORTS))
        expect(redirects).toContain(docsRedirectUri(`http://127.0.0.1:${port}`));

      // The web app sends browsers to the issuer and makes its own requests in the network.
      const web = environment("web");
      expect(web).toMatchObject({ OIDC_ISSUER: nativeIdentityIssuer, OIDC_BACKCHANNEL_URL: inNetwork });
      expect(services.web?.ports).toContain(`${web.WEB_PORT}:${web.WEB_PORT}`);
      expect(DEFAULT_WEB_REDIRECT_URI).toBe(`http://127.0.0.1:${web.WEB_PORT}/auth/callback`);

      const worker = environment("cycle-worker");
      expect(clientCredentialsProblems(worker)).toEqual([]);
      expect(worker).toMatchObject({
        AUTH_OIDC_ISSUER: nativeIdentityIssuer,
        AUTH_OIDC_TOKEN_ENDPOINT: atIdentity(discovery.token_endpoint),
        AUTH_OIDC_CLIENT_ID: SERVICE_CLIENT_ID,
        AUTH_OIDC_CLIENT_SECRET: identity.OIDC_SERVICE_CLIENT_SECRET,
      });
    } finally {
      await idp.close();
    }
  });
});
