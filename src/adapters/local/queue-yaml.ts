// queue.yaml → QueueSettings (rate, bucket, concurrency, retry_parameters), as Cloud Tasks
// reads it.
import { z } from 'zod';
import {
  checkShape,
  GaeConfigError,
  backoffFields,
  readBackoff,
  parseDurationSeconds,
  parseYamlText,
  readText,
  UNIT_SECONDS,
} from './gae-file';
import { QUEUE_RETRY_DEFAULTS, type QueueRetrySettings } from './gae-retry';

export interface QueueSettings {
  readonly name: string;
  /** Tasks per second (token refill rate). */
  readonly ratePerSecond: number;
  /** Token bucket capacity (burst). */
  readonly bucketSize: number;
  /** In-flight cap. */
  readonly maxConcurrentRequests: number;
  /** App Engine service the tasks go to, when set. */
  readonly target?: string;
  readonly retry: QueueRetrySettings;
}

const QUEUE_DEFAULT_RATE_PER_SECOND = 5;
const QUEUE_DEFAULT_BUCKET_SIZE = 5;
/** Cloud Tasks' default max_concurrent_dispatches. */
const QUEUE_DEFAULT_MAX_CONCURRENT = 1000;

const queueFileSchema = z.object({
  queue: z
    .array(
      z.object({
        name: z.string().regex(/^[a-zA-Z0-9-]{1,100}$/, 'queue names are [a-zA-Z0-9-]{1,100}'),
        mode: z.enum(['push', 'pull']).optional(),
        rate: z.union([z.string(), z.number()]).optional(),
        bucket_size: z.number().int().positive().optional(),
        max_concurrent_requests: z.number().int().positive().optional(),
        target: z.string().optional(),
        retry_parameters: z
          .object({
            task_retry_limit: z.number().int().nonnegative().optional(),
            task_age_limit: z.string().optional(),
            ...backoffFields,
          })
          .optional(),
      }),
    )
    .default([]),
});

/** Parses queue.yaml text. Pull queues are ignored (the connector has none). */
export function parseQueueYaml(text: string, source = 'queue.yaml'): QueueSettings[] {
  const file = checkShape(queueFileSchema, parseYamlText(text, source), source);
  return file.queue
    .filter((q) => (q.mode ?? 'push') === 'push')
    .map((q) => {
      const rp = q.retry_parameters ?? {};
      const retry: QueueRetrySettings = {
        ...readBackoff(rp, QUEUE_RETRY_DEFAULTS, `${source}: ${q.name}`),
        ...(rp.task_retry_limit === undefined ? {} : { taskRetryLimit: rp.task_retry_limit }),
        ...(rp.task_age_limit === undefined
          ? {}
          : {
              taskAgeLimitSeconds: parseDurationSeconds(
                rp.task_age_limit,
                `${source}: ${q.name}.task_age_limit`,
              ),
            }),
      };
      return {
        name: q.name,
        ratePerSecond:
          q.rate === undefined
            ? QUEUE_DEFAULT_RATE_PER_SECOND
            : parseRate(String(q.rate), `${source}: ${q.name}.rate`),
        bucketSize: q.bucket_size ?? QUEUE_DEFAULT_BUCKET_SIZE,
        maxConcurrentRequests: q.max_concurrent_requests ?? QUEUE_DEFAULT_MAX_CONCURRENT,
        ...(q.target === undefined ? {} : { target: q.target }),
        retry,
      };
    });
}

export function loadQueueConfig(path: string): QueueSettings[] {
  return parseQueueYaml(readText(path), path);
}

/** `"30/m"` → 0.5 (tasks per second). Units s, m, h, d; `"0"` pauses. */
export function parseRate(rate: string, what = 'rate'): number {
  const m = /^\s*(?:(0)|(\d+(?:\.\d*)?)\/([smhd]))\s*$/.exec(rate);
  if (!m) throw new GaeConfigError(`${what}: "${rate}" is not N/s, N/m, N/h or N/d`);
  if (m[1] !== undefined) return 0;
  return Number(m[2]) / UNIT_SECONDS[m[3] as keyof typeof UNIT_SECONDS];
}
