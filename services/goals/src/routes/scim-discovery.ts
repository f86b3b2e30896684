import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { LIST_SCHEMA, SCIM_PREFIX, scimResponse, scimRoute, sendScim } from "../scim/protocol.ts";
import { GROUP_SCHEMA } from "./scim-groups.ts";
import { USER_SCHEMA } from "./scim-users.ts";

/**
 * What the SCIM endpoint supports (RFC 7644 §4), for identity providers that read it before
 * provisioning. It names no tenant's data, so it needs no token.
 */
const Document = Type.Object({ schemas: Type.Array(Type.String()) }, { additionalProperties: true });

const attribute = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});

const SCHEMAS = [
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    id: USER_SCHEMA,
    name: "User",
    description: "A person of the organization",
    attributes: [
      attribute("userName", "string", { required: true, uniqueness: "server" }),
      attribute("externalId", "string", { caseExact: true }),
      attribute("displayName", "string"),
      attribute("name", "complex", {
        subAttributes: [
          attribute("formatted", "string"),
          attribute("givenName", "string"),
          attribute("familyName", "string"),
        ],
      }),
      attribute("emails", "complex", {
        multiValued: true,
        subAttributes: [
          attribute("value", "string"),
          attribute("type", "string"),
          attribute("primary", "boolean"),
        ],
      }),
      attribute("active", "boolean"),
    ],
  },
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    id: GROUP_SCHEMA,
    name: "Group",
    description: "A team of the organization",
    attributes: [
      attribute("displayName", "string", { required: true }),
      attribute("externalId", "string", { caseExact: true }),
      attribute("members", "complex", {
        multiValued: true,
        subAttributes: [attribute("value", "string", { mutability: "immutable" })],
      }),
    ],
  },
];

const RESOURCE_TYPES = [
  { id: "User", name: "User", endpoint: "/Users", schema: USER_SCHEMA },
  { id: "Group", name: "Group", endpoint: "/Groups", schema: GROUP_SCHEMA },
].map((type) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], ...type }));

const list = (resources: object[]) => ({
  schemas: [LIST_SCHEMA],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

const SERVICE_PROVIDER_CONFIG = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 200 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: "oauthbearertoken",
      name: "Provisioning token",
      description: "The tenant's SCIM token (POST /scim-token as an admin), sent as Authorization: Bearer",
      primary: true,
    },
  ],
};

const documents: Record<string, { summary: string; body: object }> = {
  ServiceProviderConfig: { summary: "What this SCIM endpoint supports", body: SERVICE_PROVIDER_CONFIG },
  ResourceTypes: { summary: "The SCIM resource types (User, Group)", body: list(RESOURCE_TYPES) },
  Schemas: { summary: "The SCIM schemas of User and Group, as goals keeps them", body: list(SCHEMAS) },
};

export function scimDiscoveryRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const [name, { summary, body }] of Object.entries(documents))
      app.get(
        `${SCIM_PREFIX}/${name}`,
        {
          ...scimRoute,
          schema: {
            tags: ["scim"],
            summary,
            security: [],
            produces: ["application/scim+json"],
            response: { 200: scimResponse(Document, summary) },
          },
        },
        async (_request, reply) => sendScim(reply, 200, body),
      );
  };
}
