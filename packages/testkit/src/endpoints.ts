import { mergeEndpoints, nativeEndpoints, type PlatformEndpoints } from "@okr/infra/endpoints";

/**
 * The infrastructure integration tests talk to: what `npm test` exported (environment, testcontainers
 * or native), else the native endpoints that `npm run infra:up` brings up. Never a fake.
 */
export function testEndpoints(): PlatformEndpoints {
  return mergeEndpoints(nativeEndpoints(), process.env);
}

export function cacheDir(): string {
  if (process.env.OKR_CACHE_DIR) return process.env.OKR_CACHE_DIR;
  if (process.getuid?.() === 0) return "/var/cache/okr-platform";
  return `${process.env.XDG_CACHE_HOME ?? `${process.env.HOME}/.cache`}/okr-platform`;
}
