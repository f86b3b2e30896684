import { Type } from "typebox";

/** Schema fragments for the variables every service shares, so they read and fail alike everywhere. */
export const Port = (defaultPort: number) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: defaultPort, description: "a TCP port 1-65535" });

export const PostgresUrl = () =>
  Type.String({ pattern: "^postgres(ql)?://[^\\s]+$", description: "a postgresql:// URL" });

export const KafkaBrokers = () =>
  Type.String({
    pattern: "^[^,\\s:]+:\\d+(,[^,\\s:]+:\\d+)*$",
    description: "comma-separated host:port pairs",
  });

export const HostPort = () => Type.String({ pattern: "^[^\\s:]+:\\d+$", description: "host:port" });

export const LogLevel = () =>
  Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => Type.Literal(level)),
    { default: "info", description: "one of fatal, error, warn, info, debug, trace, silent" },
  );

export const PositiveInteger = (defaultValue: number) =>
  Type.Integer({ minimum: 1, default: defaultValue, description: "a positive integer" });

export const HttpUrl = (description = "an http(s):// URL") =>
  Type.String({ pattern: "^https?://[^\\s]+$", description });
