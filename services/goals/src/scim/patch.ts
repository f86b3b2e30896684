import { invalidPath, invalidValue } from "./errors.ts";
import { InvalidFilter, parseFilter } from "./filter.ts";

/**
 * PatchOp (RFC 7644 §3.5.2) as Entra ID and Okta send it, turned into the changes goals keeps. Both
 * forms count: `{op, path, value}` and the path-less `{op: "Replace", value: {active: false, ...}}`
 * whose keys are themselves paths (Entra writes `"name.givenName"` there). Entra capitalizes the op
 * ("Replace") and sends booleans as "True"/"False". Attributes goals does not keep (phone numbers,
 * addresses, the enterprise extension but for its manager) are accepted and dropped: refusing them
 * would stop provisioning.
 */
export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

export interface UserChanges {
  active?: boolean;
  userName?: string;
  displayName?: string;
  givenName?: string | null;
  familyName?: string | null;
  formatted?: string;
  email?: string;
  externalId?: string | null;
  /** As sent; whether goals knows the zone is the route's to decide. */
  timeZone?: string | null;
  /** The enterprise extension's manager: the SCIM id (a goals person id) of the person's manager. */
  managerId?: string | null;
}

/** The enterprise User extension (RFC 7643 §4.3): goals keeps its manager. */
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** A manager reference as Entra (a bare id) or Okta and the RFC (`{value}`) send it. */
export function managerIdOf(value: unknown): string | null {
  const id = typeof value === "string" ? value : (value as { value?: unknown } | null)?.value;
  if (id === undefined || id === null || id === "") return null;
  if (typeof id !== "string" || id.length > 200)
    throw invalidValue("manager must be a user's id (its value)");
  return id.trim();
}

export interface GroupChanges {
  displayName?: string;
  externalId?: string | null;
  add: string[];
  remove: string[];
  /** The whole member list (a replace of `members`); applied before add and remove. */
  replace?: string[];
}

type Op = "add" | "replace" | "remove";

function opOf(operation: PatchOperation): Op {
  const op = typeof operation.op === "string" ? operation.op.toLowerCase() : "";
  if (op === "add" || op === "replace" || op === "remove") return op;
  throw invalidValue(`op must be add, replace or remove, not ${JSON.stringify(operation.op)}`);
}

/** `urn:...:core:2.0:User:name.givenName` → `name.givenname`; value filters other than emails' kept. */
const normalize = (path: string) =>
  path
    .trim()
    .replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, "")
    .toLowerCase();

export function booleanOf(value: unknown, attribute: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw invalidValue(`${attribute} must be true or false`);
}

function stringOf(value: unknown, attribute: string, max = 320): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > max)
    throw invalidValue(`${attribute} must be a non-empty string of at most ${max} characters`);
  return value.trim();
}

/** The address goals keeps from a SCIM emails list: the primary one, else the work one, else the first. */
export function emailOf(value: unknown): string | undefined {
  if (!Array.isArray(value)) throw invalidValue("emails must be a list of {value, type, primary}");
  const emails = value.filter(
    (e): e is { value: string; type?: unknown; primary?: unknown } =>
      typeof e === "object" && e !== null && typeof (e as { value?: unknown }).value === "string",
  );
  const chosen =
    emails.find((e) => e.primary === true || e.primary === "True" || e.primary === "true") ??
    emails.find((e) => e.type === "work") ??
    emails[0];
  return chosen ? stringOf(chosen.value, "emails.value") : undefined;
}

function applyUser(changes: UserChanges, op: Op, path: string, value: unknown): void {
  const key = normalize(path);
  const removing = op === "remove";
  switch (key) {
    case "active":
      if (removing) throw invalidValue("active cannot be removed");
      changes.active = booleanOf(value, "active");
      return;
    case "username":
      if (removing) throw invalidValue("userName cannot be removed");
      changes.userName = stringOf(value, "userName");
      return;
    case "displayname":
      if (removing) throw invalidValue("displayName cannot be removed");
      changes.displayName = stringOf(value, "displayName", 200);
      return;
    case "externalid":
      changes.externalId = removing ? null : stringOf(value, "externalId", 200);
      return;
    case "name.givenname":
      changes.givenName = removing ? null : stringOf(value, "name.givenName", 200);
      return;
    case "name.familyname":
      changes.familyName = removing ? null : stringOf(value, "name.familyName", 200);
      return;
    case "name.formatted":
      if (!removing) changes.formatted = stringOf(value, "name.formatted", 200);
      return;
    case "name": {
      if (removing) {
        changes.givenName = null;
        changes.familyName = null;
        return;
      }
      if (typeof value !== "object" || value === null) throw invalidValue("name must be an object");
      for (const [sub, subValue] of Object.entries(value)) applyUser(changes, op, `name.${sub}`, subValue);
      return;
    }
    case "emails": {
      if (removing) throw invalidValue("a person keeps an email: emails cannot be removed");
      const email = emailOf(value);
      if (email) changes.email = email;
      return;
    }
    case "timezone":
      changes.timeZone = removing ? null : stringOf(value, "timezone", 64);
      return;
    case `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:manager`:
    case `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:manager.value`:
      changes.managerId = removing ? null : managerIdOf(value);
      return;
    case ENTERPRISE_USER_SCHEMA.toLowerCase(): {
      // A path-less Replace nests the extension: {"urn:...:enterprise:2.0:User": {"manager": ...}}.
      if (typeof value !== "object" || value === null) return;
      const manager = (value as { manager?: unknown }).manager;
      if (manager !== undefined) changes.managerId = removing ? null : managerIdOf(manager);
      return;
    }
    case "emails.value":
    case 'emails[type eq "work"].value':
    case "emails[primary eq true].value":
      if (removing) throw invalidValue("a person keeps an email: emails cannot be removed");
      changes.email = stringOf(value, "emails.value");
      return;
    default:
      if (key.startsWith("emails[")) {
        if (removing) return;
        // Another email type (home, other): goals keeps one address, the work one.
        return;
      }
      if (/^[a-z0-9:._$-]+(\[[^\]]*\])?(\.[a-z0-9_$-]+)?$/.test(key) || key.startsWith("urn:")) return;
      throw invalidPath(`${path} is not a path goals can read`);
  }
}

/**
 * A PatchOp's operations applied in order to one set of changes (later operations win); an operation
 * without a path carries its attributes as an object.
 */
function applyAll<Changes>(
  operations: PatchOperation[],
  changes: Changes,
  apply: (changes: Changes, op: Op, path: string, value: unknown) => void,
): Changes {
  for (const operation of operations) {
    const op = opOf(operation);
    if (operation.path !== undefined && operation.path !== "") {
      apply(changes, op, operation.path, operation.value);
      continue;
    }
    if (op === "remove") throw invalidPath("remove needs a path");
    if (typeof operation.value !== "object" || operation.value === null || Array.isArray(operation.value))
      throw invalidValue("an operation without a path carries an object of attributes");
    for (const [path, value] of Object.entries(operation.value)) apply(changes, op, path, value);
  }
  return changes;
}

/** A user PatchOp's operations as one set of changes (later operations win). */
export const userChanges = (operations: PatchOperation[]): UserChanges => applyAll(operations, {}, applyUser);

const memberIds = (value: unknown): string[] => {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((member) => {
    const id = (member as { value?: unknown } | null)?.value;
    if (typeof id !== "string") throw invalidValue("members are objects with a value (the user's id)");
    return id;
  });
};

function applyGroup(changes: GroupChanges, op: Op, path: string, value: unknown): void {
  const key = normalize(path);
  if (key === "displayname") {
    if (op === "remove") throw invalidValue("displayName cannot be removed");
    changes.displayName = stringOf(value, "displayName", 200);
  } else if (key === "externalid") {
    changes.externalId = op === "remove" ? null : stringOf(value, "externalId", 200);
  } else if (key === "members") {
    const ids = memberIds(value);
    if (op === "add") changes.add.push(...ids);
    else if (op === "replace") {
      changes.replace = ids;
      changes.add = [];
      changes.remove = [];
    } else if (value === undefined) {
      changes.replace = [];
      changes.add = [];
      changes.remove = [];
    } else changes.remove.push(...ids);
  } else if (key.startsWith("members[")) {
    // Okta removes one member as `members[value eq "id"]`.
    if (op !== "remove") throw invalidPath(`${path}: only remove takes a member filter`);
    let terms: ReturnType<typeof parseFilter>;
    try {
      terms = parseFilter(path);
    } catch (error) {
      if (error instanceof InvalidFilter) throw invalidPath(`${path}: ${error.message}`);
      throw error;
    }
    const id = terms.find((t) => t.attribute === "members.value")?.value;
    if (terms.length !== 1 || typeof id !== "string") throw invalidPath(`${path}: name one member by value`);
    changes.remove.push(id);
  } else if (key === "id" || key === "schemas" || key === "meta") {
    // Okta repeats the group's id in a path-less replace; it changes nothing.
  } else throw invalidPath(`${path} is not a group attribute goals keeps`);
}

/** A group PatchOp's operations as one set of changes. */
export const groupChanges = (operations: PatchOperation[]): GroupChanges =>
  applyAll<GroupChanges>(operations, { add: [], remove: [] }, applyGroup);
