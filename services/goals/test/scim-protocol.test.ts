import { describe, expect, it } from "vitest";
import type { ScimError } from "../src/scim/errors.ts";
import { InvalidFilter, parseFilter } from "../src/scim/filter.ts";
import { groupChanges, userChanges } from "../src/scim/patch.ts";

describe("SCIM filters", () => {
  it("reads the eq lookups identity providers send", () => {
    expect(parseFilter('userName eq "Jo@Example.com"')).toEqual([
      { attribute: "username", value: "Jo@Example.com" },
    ]);
    expect(parseFilter('externalId eq "a\\"b" and active eq true')).toEqual([
      { attribute: "externalid", value: 'a"b' },
      { attribute: "active", value: true },
    ]);
    expect(parseFilter('emails[type eq "work"].value eq "jo@example.com"')).toEqual([
      { attribute: "emails.type", value: "work" },
      { attribute: "emails.value", value: "jo@example.com" },
    ]);
    expect(parseFilter('id eq "g1" and members[value eq "u1"]')).toEqual([
      { attribute: "id", value: "g1" },
      { attribute: "members.value", value: "u1" },
    ]);
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName EQ "x"')).toEqual([
      { attribute: "username", value: "x" },
    ]);
  });

  it("refuses what it does not support instead of guessing", () => {
    for (const filter of [
      'userName co "x"',
      'userName eq "x" or id eq "y"',
      "userName eq",
      'eq "x"',
      "(a eq 1)",
      "",
    ])
      expect(() => parseFilter(filter), filter).toThrow(InvalidFilter);
  });
});

describe("SCIM PatchOp", () => {
  it("reads Entra's path form, its capitalized ops and string booleans", () => {
    expect(userChanges([{ op: "Replace", path: "active", value: "False" }])).toEqual({ active: false });
    expect(
      userChanges([
        { op: "Add", path: 'emails[type eq "work"].value', value: "kim@example.com" },
        { op: "Replace", path: "name.familyName", value: "Doe" },
        { op: "Remove", path: "externalId" },
        {
          op: "Replace",
          path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
          value: "x",
        },
      ]),
    ).toEqual({ email: "kim@example.com", familyName: "Doe", externalId: null });
  });

  it("reads the path-less form whose keys are paths (Entra's dotted keys, Okta's booleans)", () => {
    expect(
      userChanges([
        { op: "Replace", value: { active: "True", "name.givenName": "Kim", displayName: "Kim D" } },
      ]),
    ).toEqual({ active: true, givenName: "Kim", displayName: "Kim D" });
    expect(userChanges([{ op: "replace", value: { active: false } }])).toEqual({ active: false });
  });

  it("refuses what cannot apply, naming the SCIM error type", () => {
    const scimTypeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as ScimError).scimType;
      }
      return "no error";
    };
    expect(scimTypeOf(() => userChanges([{ op: "Replace", path: "active", value: "yes" }]))).toBe(
      "invalidValue",
    );
    expect(scimTypeOf(() => userChanges([{ op: "move", path: "active", value: true }]))).toBe("invalidValue");
    expect(scimTypeOf(() => userChanges([{ op: "remove" }]))).toBe("invalidPath");
    expect(scimTypeOf(() => userChanges([{ op: "replace", path: "!!", value: 1 }]))).toBe("invalidPath");
    expect(scimTypeOf(() => groupChanges([{ op: "replace", path: "owner", value: "x" }]))).toBe(
      "invalidPath",
    );
  });

  it("reads group membership changes as Entra and Okta send them", () => {
    expect(
      groupChanges([
        { op: "Add", path: "members", value: [{ value: "u1" }, { value: "u2" }] },
        { op: "Remove", path: "members", value: [{ value: "u3" }] },
        { op: "remove", path: 'members[value eq "u4"]' },
        { op: "replace", value: { id: "g", displayName: "Guild" } },
      ]),
    ).toEqual({ add: ["u1", "u2"], remove: ["u3", "u4"], displayName: "Guild" });
    expect(groupChanges([{ op: "replace", path: "members", value: [{ value: "u9" }] }])).toEqual({
      add: [],
      remove: [],
      replace: ["u9"],
    });
    expect(groupChanges([{ op: "remove", path: "members" }])).toEqual({ add: [], remove: [], replace: [] });
  });
});
