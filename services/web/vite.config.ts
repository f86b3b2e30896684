import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The browser app: sources in app/, built into dist/, which the web app's server (src/) serves. In
 * development `npx vite` serves app/ on its own port and forwards /api and /auth to the running server.
 */
export default defineConfig({
  // Absolute, so a build started from another directory (the browser tests) finds the app.
  root: fileURLToPath(new URL("./app", import.meta.url)),
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL("./dist", import.meta.url)), emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:5173",
      "/auth": "http://127.0.0.1:5173",
      "/live": "http://127.0.0.1:5173",
    },
  },
});
