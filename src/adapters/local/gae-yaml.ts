// Reads the App Engine files (queue.yaml, cron.yaml) into typed settings, so that the local
// queue and the local scheduler honour exactly what Cloud Tasks and Cloud Scheduler are
// given in production: one source of truth for schedules and retries (SPEC §2).
//
// Also holds the App Engine task contract shared by the local and the Cloud Tasks queues
// (which route and body each SyncTask becomes, and how a dedup key becomes a task id).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DateTime, IANAZone } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { SyncTask } from '../../ports/task-queue';

/** A configuration file that does not say what App Engine would accept. */
export class GaeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GaeConfigError';
  }
}

// ---------------------------------------------------------------------------------------
// Retry and backoff (shared by queues and cron jobs)
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// queue.yaml
// ---------------------------------------------------------------------------------------

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

const nonNegative = z.number().nonnegative();
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
            min_backoff_seconds: nonNegative.optional(),
            max_backoff_seconds: nonNegative.optional(),
            max_doublings: z.number().int().nonnegative().optional(),
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
        minBackoffSeconds: rp.min_backoff_seconds ?? QUEUE_RETRY_DEFAULTS.minBackoffSeconds,
        maxBackoffSeconds: rp.max_backoff_seconds ?? QUEUE_RETRY_DEFAULTS.maxBackoffSeconds,
        maxDoublings: rp.max_doublings ?? QUEUE_RETRY_DEFAULTS.maxDoublings,
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
      if (retry.minBackoffSeconds > retry.maxBackoffSeconds) {
        throw new GaeConfigError(
          `${source}: ${q.name}: min_backoff_seconds exceeds max_backoff_seconds`,
        );
      }
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

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `"30s"`, `"1.5h"`, `"2d"`, `"45m"` → seconds (App Engine's TimeValue). */
export function parseDurationSeconds(value: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d*)?)([smhd])\s*$/.exec(value);
  if (!m) throw new GaeConfigError(`${what}: "${value}" is not a number followed by s, m, h or d`);
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

// ---------------------------------------------------------------------------------------
// cron.yaml
// ---------------------------------------------------------------------------------------

export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/**
 * A parsed App Engine cron schedule. `interval`: every N minutes, counted from the previous
 * run, or aligned on `window.from` and limited to the window (`from … to …`, `synchronized`).
 * `at`: at a time of day on the given ISO weekdays (1 = Monday … 7 = Sunday; all seven for
 * `every day`). Times are in `timezone` (IANA; UTC by default).
 */
export type CronSchedule =
  | {
      readonly kind: 'interval';
      readonly source: string;
      readonly timezone: string;
      readonly everyMinutes: number;
      readonly window?: { readonly from: TimeOfDay; readonly to: TimeOfDay };
    }
  | {
      readonly kind: 'at';
      readonly source: string;
      readonly timezone: string;
      readonly weekdays: readonly number[];
      readonly at: TimeOfDay;
    };

export interface CronJob {
  readonly url: string;
  readonly description: string;
  readonly schedule: CronSchedule;
  readonly target?: string;
  readonly retry: CronRetrySettings;
}

const cronFileSchema = z.object({
  cron: z
    .array(
      z.object({
        url: z.string().regex(/^\/\S*$/, 'cron urls are paths starting with /'),
        schedule: z.string().min(1),
        description: z.string().optional(),
        timezone: z.string().optional(),
        target: z.string().optional(),
        attempt_deadline: z.string().optional(),
        retry_parameters: z
          .object({
            job_retry_limit: z.number().int().min(0).max(5).optional(),
            job_age_limit: z.string().optional(),
            min_backoff_seconds: nonNegative.optional(),
            max_backoff_seconds: nonNegative.optional(),
            max_doublings: z.number().int().nonnegative().optional(),
          })
          .optional(),
      }),
    )
    .default([]),
});

export function parseCronYaml(text: string, source = 'cron.yaml'): CronJob[] {
  const file = checkShape(cronFileSchema, parseYamlText(text, source), source);
  return file.cron.map((j) => {
    const rp = j.retry_parameters ?? {};
    const retry: CronRetrySettings = {
      minBackoffSeconds: rp.min_backoff_seconds ?? CRON_RETRY_DEFAULTS.minBackoffSeconds,
      maxBackoffSeconds: rp.max_backoff_seconds ?? CRON_RETRY_DEFAULTS.maxBackoffSeconds,
      maxDoublings: rp.max_doublings ?? CRON_RETRY_DEFAULTS.maxDoublings,
      ...(rp.job_retry_limit === undefined ? {} : { jobRetryLimit: rp.job_retry_limit }),
      ...(rp.job_age_limit === undefined
        ? {}
        : {
            jobAgeLimitSeconds: parseDurationSeconds(
              rp.job_age_limit,
              `${source}: ${j.url} job_age_limit`,
            ),
          }),
    };
    if (retry.minBackoffSeconds > retry.maxBackoffSeconds) {
      throw new GaeConfigError(
        `${source}: ${j.url}: min_backoff_seconds exceeds max_backoff_seconds`,
      );
    }
    let schedule: CronSchedule;
    try {
      schedule = parseSchedule(j.schedule, j.timezone ?? 'UTC');
    } catch (e) {
      throw new GaeConfigError(
        `${source}: ${j.url}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return {
      url: j.url,
      description: j.description ?? '',
      schedule,
      ...(j.target === undefined ? {} : { target: j.target }),
      retry,
    };
  });
}

export function loadCronConfig(path: string): CronJob[] {
  return parseCronYaml(readText(path), path);
}

// App Engine's schedule grammar ("every 5 minutes from 10:00 to 14:00", "every monday
// 09:00", "1st,3rd tue of month 12:00"…) is its own English-like language ("groc"), not
// unix cron, and no maintained npm library parses it (cron parsers on npm read the unix
// five-field syntax only), so this is a small hand-written parser for the subset we use:
//   every N (minutes|mins|minute|min|hours|hrs|hour|hr) [from HH:MM to HH:MM | synchronized]
//   every day HH:MM
//   every <weekday>[,<weekday>…] HH:MM        (monday or mon, …)
// Anything else is rejected with a clear error rather than guessed at.

// prettier-ignore
const WEEKDAYS: Readonly<Record<string, number>> = {
  monday: 1, mon: 1, tuesday: 2, tue: 2, wednesday: 3, wed: 3, thursday: 4, thu: 4,
  friday: 5, fri: 5, saturday: 6, sat: 6, sunday: 7, sun: 7,
};
const MINUTE_UNITS = new Set(['minutes', 'minute', 'mins', 'min']);
const HOUR_UNITS = new Set(['hours', 'hour', 'hrs', 'hr']);

export function parseSchedule(text: string, timezone = 'UTC'): CronSchedule {
  if (!IANAZone.isValidZone(timezone)) throw new GaeConfigError(`unknown timezone "${timezone}"`);
  const source = text.trim();
  const words = source
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .split(/\s+/);
  const fail = (why: string): never => {
    throw new GaeConfigError(`unsupported schedule "${source}": ${why}`);
  };
  if (words[0] !== 'every') fail('expected "every …"');
  const second = words[1] ?? '';

  if (/^\d+$/.test(second)) {
    const n = Number(second);
    const unit = words[2] ?? '';
    if (n <= 0) fail('the interval must be positive');
    const everyMinutes = MINUTE_UNITS.has(unit)
      ? n
      : HOUR_UNITS.has(unit)
        ? n * 60
        : fail(`unknown unit "${unit}"`);
    const rest = words.slice(3);
    if (rest.length === 0) return { kind: 'interval', source, timezone, everyMinutes };
    if (rest.length === 1 && rest[0] === 'synchronized') {
      return {
        kind: 'interval',
        source,
        timezone,
        everyMinutes,
        window: { from: { hour: 0, minute: 0 }, to: { hour: 23, minute: 59 } },
      };
    }
    if (rest.length === 4 && rest[0] === 'from' && rest[2] === 'to') {
      const from = parseTimeOfDay(rest[1] ?? '') ?? fail(`bad time "${rest[1] ?? ''}"`);
      const to = parseTimeOfDay(rest[3] ?? '') ?? fail(`bad time "${rest[3] ?? ''}"`);
      return { kind: 'interval', source, timezone, everyMinutes, window: { from, to } };
    }
    return fail('expected "from HH:MM to HH:MM" or "synchronized" after the interval');
  }

  if (words.length !== 3) fail('expected "every day HH:MM" or "every <weekday> HH:MM"');
  const at = parseTimeOfDay(words[2] ?? '') ?? fail(`bad time "${words[2] ?? ''}"`);
  if (second === 'day')
    return { kind: 'at', source, timezone, weekdays: [1, 2, 3, 4, 5, 6, 7], at };
  const weekdays = second.split(',').map((w) => WEEKDAYS[w] ?? fail(`unknown day "${w}"`));
  return {
    kind: 'at',
    source,
    timezone,
    weekdays: [...new Set(weekdays)].sort((a, b) => a - b),
    at,
  };
}

function parseTimeOfDay(s: string): TimeOfDay | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** The first run strictly after `after` (pure). */
export function nextRun(schedule: CronSchedule, after: Date): Date {
  const afterMs = after.getTime();
  const zone = schedule.timezone;
  const local = DateTime.fromMillis(afterMs, { zone }).startOf('day');

  if (schedule.kind === 'interval') {
    const stepMs = schedule.everyMinutes * 60_000;
    const window = schedule.window;
    if (!window) return new Date(afterMs + stepMs);
    let best: number | undefined;
    // A window that wraps midnight starts the day before, so look one day back.
    for (let offset = -1; offset <= 2; offset++) {
      const day = local.plus({ days: offset });
      const start = day.set({ hour: window.from.hour, minute: window.from.minute });
      let end = day.set({ hour: window.to.hour, minute: window.to.minute });
      if (end < start) end = end.plus({ days: 1 });
      const startMs = start.toMillis();
      const k = Math.max(0, Math.floor((afterMs - startMs) / stepMs) + 1);
      const candidate = startMs + k * stepMs;
      if (
        candidate <= end.toMillis() &&
        candidate > afterMs &&
        (best === undefined || candidate < best)
      ) {
        best = candidate;
      }
    }
    if (best === undefined) throw new Error(`no run found for schedule "${schedule.source}"`);
    return new Date(best);
  }

  for (let offset = 0; offset <= 8; offset++) {
    const day = local.plus({ days: offset });
    if (!schedule.weekdays.includes(day.weekday)) continue;
    const candidate = day.set({ hour: schedule.at.hour, minute: schedule.at.minute }).toMillis();
    if (candidate > afterMs) return new Date(candidate);
  }
  throw new Error(`no run found for schedule "${schedule.source}"`);
}

// ---------------------------------------------------------------------------------------
// The App Engine task contract (SPEC §3.1), shared by the local and Cloud Tasks queues
// ---------------------------------------------------------------------------------------

export const TASK_ROUTES = {
  'sync-google-case': '/tasks/sync-google-case',
  'sync-company-case': '/tasks/sync-company-case',
  'post-outage-notices': '/tasks/post-outage-notices',
} as const satisfies Record<SyncTask['kind'], string>;

/** The POST a queued SyncTask becomes: route and JSON body. */
export function taskHttpRequest(task: SyncTask): {
  relativeUri: string;
  body: { caseName: string } | { caseId: string } | { mappingId: string };
} {
  switch (task.kind) {
    case 'sync-google-case':
      return { relativeUri: TASK_ROUTES[task.kind], body: { caseName: task.caseName } };
    case 'sync-company-case':
      return { relativeUri: TASK_ROUTES[task.kind], body: { caseId: task.caseId } };
    case 'post-outage-notices':
      return { relativeUri: TASK_ROUTES[task.kind], body: { mappingId: task.mappingId } };
  }
}

const TASK_ID_MAX = 500;

/**
 * A Cloud Tasks task id for a dedup key: `<first 16 hex chars of sha256(key)>-<key with
 * every character outside [A-Za-z0-9_-] replaced by _>`, at most 500 characters. The hash
 * prefix spreads ids over the key space (Cloud Tasks advises against sequential names) and
 * keeps two keys that sanitise alike distinct.
 */
export function taskIdForDedupKey(key: string): string {
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
  return `${hash}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, TASK_ID_MAX);
}

// ---------------------------------------------------------------------------------------

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new GaeConfigError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseYamlText(text: string, source: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (e) {
    throw new GaeConfigError(
      `${source}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function checkShape<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new GaeConfigError(`${source}: ${problems.join('; ')}`);
}
