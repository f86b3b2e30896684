import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";

/** A route file's plugin made for a service's runtime. */
export type RouteFactory<Runtime> = (runtime: Runtime) => FastifyPluginAsyncTypebox;

/** The app a route file adds its routes to: Fastify with TypeBox schemas as types. */
export type RoutesApp = Parameters<FastifyPluginAsyncTypebox>[0];

/**
 * A route file serves one resource, so its routes share one OpenAPI tag, named once here rather than in
 * every route (a route that names its own tags keeps them). `add` declares the routes with the service's
 * runtime. The tag is given inside the file's own encapsulated plugin, so it reaches no other file's routes.
 */
export function resource<Runtime>(
  tag: string,
  add: (app: RoutesApp, runtime: Runtime) => void | Promise<void>,
): RouteFactory<Runtime> {
  return (runtime) => async (app) => {
    app.addHook("onRoute", (route) => {
      if (route.schema && !route.schema.tags) route.schema = { ...route.schema, tags: [tag] };
    });
    await add(app, runtime);
  };
}
