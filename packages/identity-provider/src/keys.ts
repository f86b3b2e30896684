import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The algorithms the provider signs with: one key of each per generation. */
export const SIGNING_ALGORITHMS = ["ES256", "RS256"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** A private signing key as a JWK (what oidc-provider's `jwks` takes and publishes the public half of). */
export interface PrivateJwk {
  kty: string;
  kid: string;
  alg: SigningAlgorithm;
  use: "sig";
  [member: string]: unknown;
}

export interface KeyStoreFile {
  keys: PrivateJwk[];
}

function generateKey(alg: SigningAlgorithm): PrivateJwk {
  const pair =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(/[-:]/g, "");
  return {
    ...(pair.privateKey.export({ format: "jwk" }) as Record<string, unknown>),
    kty: alg === "ES256" ? "EC" : "RSA",
    kid: `${alg.toLowerCase()}-${stamp}-${randomBytes(3).toString("hex")}`,
    alg,
    use: "sig",
  };
}

const generation = (): PrivateJwk[] => SIGNING_ALGORITHMS.map(generateKey);

function write(file: string, store: KeyStoreFile): void {
  mkdirSync(dirname(file), { recursive: true });
  // Written whole and renamed, so a crash never leaves a half-written key file behind.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

function read(file: string): KeyStoreFile {
  const store = JSON.parse(readFileSync(file, "utf8")) as KeyStoreFile;
  if (!Array.isArray(store.keys) || store.keys.length === 0) throw new Error(`${file} holds no keys`);
  return store;
}

/** The persisted signing keys, created on first use: a restart keeps them, so issued tokens stay valid. */
export function loadOrCreateKeys(file: string): KeyStoreFile {
  if (existsSync(file)) return read(file);
  const store = { keys: generation() };
  write(file, store);
  return store;
}

/**
 * Rotation, step 1: a new key of each algorithm goes first (oidc-provider signs with the first key of an
 * algorithm), the old ones stay published so tokens they signed verify until they expire.
 */
export function addSigningKeys(file: string): KeyStoreFile {
  const store = { keys: [...generation(), ...loadOrCreateKeys(file).keys] };
  write(file, store);
  return store;
}

/**
 * Rotation, step 2 (once the longest access token lifetime has passed since step 1): only the newest key
 * of each algorithm stays; the retired ones are no longer published, so what they signed is refused.
 */
export function retireOldKeys(file: string): { store: KeyStoreFile; retired: string[] } {
  const current = loadOrCreateKeys(file);
  const kept = SIGNING_ALGORITHMS.map((alg) => current.keys.find((key) => key.alg === alg)).filter(
    (key): key is PrivateJwk => key !== undefined,
  );
  const store = { keys: kept };
  write(file, store);
  return { store, retired: current.keys.filter((key) => !kept.includes(key)).map((key) => key.kid) };
}

/** Secrets oidc-provider signs its cookies with; persisted beside the keys so sessions survive a restart. */
export function loadOrCreateCookieKeys(file: string): string[] {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as string[];
  const keys = [randomBytes(32).toString("base64url")];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  return keys;
}
