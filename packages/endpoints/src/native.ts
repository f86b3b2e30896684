/** Where the native infrastructure (`npm run infra:up`) listens: the defaults when the environment names none. */
export const NATIVE_POSTGRES = { host: "127.0.0.1", port: 55432, user: "okr", password: "okr" } as const;

export function nativePostgresUrl(database: string): string {
  const { user, password, host, port } = NATIVE_POSTGRES;
  return `postgresql://${user}:${password}@${host}:${port}/${database}`;
}

/** One native broker: the shared development broker, or a private one a fault test may stop and restart. */
export interface KafkaInstance {
  name: string;
  host: string;
  port: number;
  controllerPort: number;
}

export const NATIVE_KAFKA: KafkaInstance = {
  name: "broker",
  host: "127.0.0.1",
  port: 59092,
  controllerPort: 59093,
};
export const nativeKafkaBrokers = `${NATIVE_KAFKA.host}:${NATIVE_KAFKA.port}`;

export const NATIVE_TEMPORAL = { host: "127.0.0.1", port: 7233, uiPort: 8233, namespace: "default" } as const;
export const nativeTemporalAddress = `${NATIVE_TEMPORAL.host}:${NATIVE_TEMPORAL.port}`;

/** The local OpenID provider (packages/identity-provider): its issuer is its own URL. */
export const NATIVE_IDENTITY = { host: "127.0.0.1", port: 3180 } as const;
export const nativeIdentityIssuer = `http://${NATIVE_IDENTITY.host}:${NATIVE_IDENTITY.port}`;

/** The local mail server `npm start` runs for the notifier (Mailpit): SMTP, and its web UI. */
export const NATIVE_MAILPIT = { host: "127.0.0.1", smtpPort: 1025, uiPort: 8025 } as const;

/** Where `npm start` runs each HTTP service (its API and its /docs). */
export const NATIVE_SERVICE_PORTS = {
  goals: 3101,
  "value-stream": 3102,
  scoring: 3103,
  notifier: 3104,
} as const;
