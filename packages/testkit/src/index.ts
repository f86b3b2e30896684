export { createTestDatabase, type TestDatabase } from "./database.ts";
export { cacheDir, testEndpoints } from "./endpoints.ts";
export {
  type ControllableBroker,
  collectMessages,
  findMessage,
  rewindConsumerGroup,
  startPrivateKafka,
  testBus,
  uniqueName,
} from "./kafka.ts";
export { type PrivatePostgres, startPrivatePostgres } from "./postgres.ts";
export { startTestService, type TestService } from "./service.ts";
export { waitFor } from "./wait.ts";
