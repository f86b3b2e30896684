import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL ?? process.env.NOTIFIER_DATABASE_URL ?? "postgresql://localhost/notifier",
  },
});
