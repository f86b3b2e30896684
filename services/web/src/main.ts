import { runService } from "@okr/service-kit";
import { createWebApp } from "./app.ts";
import { loadWebConfigOrExit, publicOriginOf } from "./config.ts";

/** The web app as a process: validated config (exit 78 on a bad value), then HTTP with graceful shutdown. */
const config = loadWebConfigOrExit();
const app = await createWebApp(config);
await runService({
  app,
  host: config.HOST,
  port: config.WEB_PORT,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [],
});
app.log.info(`web app at ${publicOriginOf(config)}/`);
