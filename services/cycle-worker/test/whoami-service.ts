import { type AuthOptions, createServiceApp } from "@okr/service-kit";

/**
 * A service the worker calls, listening on a private port with the given token rules: `/whoami` answers
 * the caller's tenant and roles and keeps every Authorization header it was sent, in `seen`.
 */
export async function startWhoamiService(name: string, description: string, auth: AuthOptions) {
  const seen: string[] = [];
  const app = await createServiceApp({
    name,
    description,
    auth,
    logger: false,
    routes: async (routes) => {
      routes.get("/whoami", async (request) => {
        seen.push(request.headers.authorization ?? "");
        return { tenantId: request.principal.tenantId, roles: request.principal.roles };
      });
    },
  });
  const baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, baseUrl, seen };
}
