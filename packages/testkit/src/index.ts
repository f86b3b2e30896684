export { cacheDir, testEndpoints } from "./endpoints.ts";
export { createTestDatabase, type TestDatabase } from "./database.ts";
export { collectMessages, type ControllableBroker, startPrivateKafka, testBus, uniqueName } from "./kafka.ts";
export { waitFor } from "./wait.ts";
