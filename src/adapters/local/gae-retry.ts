// Retry and backoff of App Engine push queues (queue.yaml) and cron jobs (cron.yaml), with
// the semantics of Cloud Tasks and Cloud Scheduler: the local queue and scheduler retry
// exactly as production does.

export interface BackoffSettings {
  readonly minBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
  readonly maxDoublings: number;
}

export interface QueueRetrySettings extends BackoffSettings {
  /** Retries after the first attempt; unset with taskAgeLimitSeconds unset = forever. */
  readonly taskRetryLimit?: number;
  /** Measured from the first attempt. */
  readonly taskAgeLimitSeconds?: number;
}

export interface CronRetrySettings extends BackoffSettings {
  /** 0..5. Unset with jobAgeLimitSeconds unset = a failed run is not retried. */
  readonly jobRetryLimit?: number;
  readonly jobAgeLimitSeconds?: number;
}

/** App Engine push-queue defaults (queue.yaml reference). */
export const QUEUE_RETRY_DEFAULTS: BackoffSettings = {
  minBackoffSeconds: 0.1,
  maxBackoffSeconds: 3600,
  maxDoublings: 16,
};

/** Cron (Cloud Scheduler) defaults: 5 s, 1 h, 5 doublings. */
export const CRON_RETRY_DEFAULTS: BackoffSettings = {
  minBackoffSeconds: 5,
  maxBackoffSeconds: 3600,
  maxDoublings: 5,
};

/**
 * Seconds to wait before retry number `attempt` (1 = the first retry), with the semantics
 * of Cloud Tasks and Cloud Scheduler: the interval starts at min_backoff, doubles
 * max_doublings times, then grows linearly by min_backoff × 2^max_doublings, capped at
 * max_backoff. E.g. min 10, max 300, doublings 3 → 10, 20, 40, 80, 160, 240, 300, 300…
 */
export function backoffSeconds(retry: BackoffSettings, attempt: number): number {
  const i = Math.max(0, Math.floor(attempt) - 1);
  const d = retry.maxDoublings;
  const interval =
    i <= d ? retry.minBackoffSeconds * 2 ** i : retry.minBackoffSeconds * 2 ** d * (i - d + 1);
  return Math.min(interval, retry.maxBackoffSeconds);
}

/**
 * Whether a failed queue task is retried again after `retriesDone` retries, `ageSeconds`
 * after its first attempt. With both limits set, retries go on until both are reached
 * (Cloud Tasks semantics); with none, forever.
 */
export function queueRetryAllowed(
  retry: QueueRetrySettings,
  retriesDone: number,
  ageSeconds: number,
): boolean {
  return !limitsReached(
    retry.taskRetryLimit,
    retry.taskAgeLimitSeconds,
    retriesDone,
    ageSeconds,
    false,
  );
}

/** Same for a cron run; with no limit set, a failed run is not retried (Cloud Scheduler). */
export function cronRetryAllowed(
  retry: CronRetrySettings,
  retriesDone: number,
  ageSeconds: number,
): boolean {
  return !limitsReached(
    retry.jobRetryLimit,
    retry.jobAgeLimitSeconds,
    retriesDone,
    ageSeconds,
    true,
  );
}

function limitsReached(
  retryLimit: number | undefined,
  ageLimitSeconds: number | undefined,
  retriesDone: number,
  ageSeconds: number,
  reachedWhenUnset: boolean,
): boolean {
  if (retryLimit === undefined && ageLimitSeconds === undefined) return reachedWhenUnset;
  const retriesOut = retryLimit === undefined || retriesDone >= retryLimit;
  const ageOut = ageLimitSeconds === undefined || ageSeconds >= ageLimitSeconds;
  return retriesOut && ageOut;
}
