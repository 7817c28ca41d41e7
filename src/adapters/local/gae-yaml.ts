// Reads the App Engine files (queue.yaml, cron.yaml) into typed settings, so that the local
// queue and the local scheduler honour exactly what Cloud Tasks and Cloud Scheduler are
// given in production: one source of truth for schedules and retries (SPEC §2).
//
// The pieces live in their own modules; this one gathers them under the name importers use:
// gae-file.ts (errors, YAML reading, durations), gae-retry.ts (backoff and retry limits),
// queue-yaml.ts, cron-yaml.ts, cron-schedule.ts (schedule grammar, next run) and
// ../app-engine/task-request.ts (the task contract shared with the Cloud Tasks queue).
export { GaeConfigError, parseDurationSeconds } from './gae-file';
export * from './gae-retry';
export * from './queue-yaml';
export * from './cron-yaml';
export * from './cron-schedule';
export * from '../app-engine/task-request';
