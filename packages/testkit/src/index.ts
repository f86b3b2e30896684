export { createTestDatabase, type TestDatabase } from "./database.ts";
export { cacheDir, testEndpoints } from "./endpoints.ts";
export {
  type ControllableBroker,
  collectMessages,
  rewindConsumerGroup,
  startPrivateKafka,
  testBus,
  uniqueName,
} from "./kafka.ts";
export { waitFor } from "./wait.ts";
