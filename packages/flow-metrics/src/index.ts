export * from "./flow.ts";
export * from "./map.ts";
export { DAY_MINUTES, MINUTE_MS, mean, percentileOfSorted, ratio } from "./stats.ts";
