import { createRequire } from "node:module";
import type * as protoTypes from "@temporalio/proto";

/**
 * History <-> the JSON format of the Temporal CLI and UI exports. @temporalio/common's historyToJSON and
 * historyFromJSON fail in this install ("type must be a Type"): @temporalio/common and @temporalio/proto
 * each carry their own protobufjs copy, so common's converter rejects proto's types. This uses the copy
 * that @temporalio/proto's types belong to. (Once the two copies are deduplicated, the SDK's functions work.)
 */
const require = createRequire(import.meta.url);
const proto = require("@temporalio/proto") as typeof protoTypes;
const { patchProtobufRoot } = require("@temporalio/proto/lib/patch-protobuf-root") as {
  patchProtobufRoot(root: unknown): { lookupType(name: string): unknown };
};
const requireFromProto = createRequire(require.resolve("@temporalio/proto"));
const protojson = requireFromProto("protobufjs/ext/protojson") as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};
const historyType = patchProtobufRoot(proto).lookupType("temporal.api.history.v1.History");
type History = protoTypes.temporal.api.history.v1.IHistory;

export function historyToJSON(history: History): string {
  return JSON.stringify(
    protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
    null,
    2,
  );
}

export function historyFromJSON(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
