export { createTestDatabase, type TestDatabase } from "@okr/database/testing";
export { cacheDir, retryWhileUnavailable, testEndpoints, uniqueName, waitFor } from "@okr/endpoints";
export {
  collectMessages,
  findMessage,
  rewindConsumerGroup,
  sendEvent,
  startConsumerGroupsAt,
  testBus,
} from "@okr/messaging/testing";
export { type ControllableBroker, startPrivateKafka } from "@okr/native-infra/private-kafka";
export { type PrivatePostgres, startPrivatePostgres } from "@okr/native-infra/private-postgres";
export { type Api, apiFor } from "./api.ts";
export { quietCycleActivities } from "./cycle-activities.ts";
export { freePort, startTcpProxy } from "./network.ts";
export { ServiceProcess } from "./process.ts";
export { startTestService, type TestService } from "./service.ts";
