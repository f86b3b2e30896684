/**
 * `node infra/demo/write-accounts.ts <file>`: the demo people as the local identity provider's accounts
 * (their password: okr-demo). The container image runs it at build time for docker-compose.yml's
 * identity service; `npm start` on the native path writes the same file itself.
 */
import { writeDemoAccounts } from "./accounts.ts";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node infra/demo/write-accounts.ts <file>");
  process.exit(64);
}
console.log(`wrote ${writeDemoAccounts(file).length} demo accounts to ${file}`);
