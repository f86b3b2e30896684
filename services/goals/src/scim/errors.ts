/** RFC 7644 §3.12: a SCIM error, sent as `urn:ietf:params:scim:api:messages:2.0:Error`. */
export class ScimError extends Error {
  override name = "ScimError";
  readonly status: number;
  readonly scimType: string | undefined;

  constructor(status: number, detail: string, scimType?: string) {
    super(detail);
    this.status = status;
    this.scimType = scimType;
  }
}

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export const invalidValue = (detail: string) => new ScimError(400, detail, "invalidValue");
export const invalidPath = (detail: string) => new ScimError(400, detail, "invalidPath");
export const scimNotFound = (what: string) => new ScimError(404, `${what} not found`);
export const uniqueness = (detail: string) => new ScimError(409, detail, "uniqueness");
