// In-process cron (SCHEDULER=local: sandbox and local runs). Fires the jobs of cron.yaml at
// their schedules with the headers App Engine's cron sends, and retries a failed run with
// the job's retry_parameters, as Cloud Scheduler does in production.
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import { SyncError } from '../../domain/errors';
import { nextRun } from './cron-schedule';
import type { CronJob } from './cron-yaml';
import { backoffSeconds, cronRetryAllowed } from './gae-retry';
import { systemTimer, type SetTimer } from './local-task-queue';
import { systemClock } from '../system-clock';

export interface CronFire {
  readonly url: string;
  /** When the run was due (its first attempt). */
  readonly scheduledAt: Date;
  /** 1 for the first attempt of a run. */
  readonly attempt: number;
  readonly status?: number;
  /** `skipped`: the run was due while the previous one was still running or retrying. */
  readonly outcome: 'ok' | 'retry' | 'failed' | 'skipped';
  readonly retryInSeconds?: number;
}

export interface LocalSchedulerOptions {
  /** The app's own URL, e.g. http://127.0.0.1:8080. */
  readonly baseUrl: string;
  /** From cron.yaml (loadCronConfig). */
  readonly jobs: readonly CronJob[];
  readonly clock?: Clock;
  /** Inject with the clock to drive time in tests (tests/support/manual-timers.ts). */
  readonly setTimer?: SetTimer;
  readonly logger?: Logger;
  readonly onFire?: (fire: CronFire) => void;
  readonly requestTimeoutMs?: number;
}

interface JobState {
  readonly job: CronJob;
  nextAt?: number;
  cancelNext?: () => void;
  run?: {
    readonly scheduledAt: number;
    readonly startedAt: number;
    retries: number;
    cancelRetry?: () => void;
  };
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export class LocalScheduler {
  private readonly baseUrl: string;
  private readonly clock: Clock;
  private readonly setTimer: SetTimer;
  private readonly logger?: Logger;
  private readonly onFire?: (fire: CronFire) => void;
  private readonly timeoutMs: number;
  private readonly states: JobState[];
  private readonly controllers = new Set<AbortController>();
  private readonly fired: CronFire[] = [];
  private settledWaiters: Array<() => void> = [];
  private inFlight = 0;
  private running = false;

  constructor(opts: LocalSchedulerOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.clock = opts.clock ?? systemClock;
    this.setTimer = opts.setTimer ?? systemTimer;
    this.logger = opts.logger;
    this.onFire = opts.onFire;
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.states = opts.jobs.map((job) => ({ job }));
  }

  /** Schedules every job's next run from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.clock.now();
    for (const s of this.states) this.scheduleAfter(s, now);
  }

  /** Cancels every timer and aborts requests in flight. */
  stop(): void {
    this.running = false;
    for (const s of this.states) {
      s.cancelNext?.();
      s.cancelNext = undefined;
      s.nextAt = undefined;
      s.run?.cancelRetry?.();
      s.run = undefined;
    }
    for (const c of this.controllers) c.abort();
  }

  /** Fires the job with this url once, now (no retry), and returns the HTTP status. */
  async runNow(url: string): Promise<number> {
    const s = this.states.find((x) => x.job.url === url);
    if (!s) throw new Error(`no cron job with url ${url}`);
    const status = await this.request(s.job, this.clock.now());
    if (status === undefined) {
      throw new SyncError('retry', 'cron request failed without an answer', {
        source: 'local-scheduler',
      });
    }
    return status;
  }

  /** Every fire so far, oldest first (tests read it after advancing a fake clock). */
  history(): readonly CronFire[] {
    return [...this.fired];
  }

  /** When each job runs next (undefined while stopped). */
  nextRuns(): ReadonlyArray<{ url: string; at: Date | undefined }> {
    return this.states.map((s) => ({
      url: s.job.url,
      at: s.nextAt === undefined ? undefined : new Date(s.nextAt),
    }));
  }

  /** Resolves when no cron request is in flight. */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private scheduleAfter(s: JobState, after: Date): void {
    const at = nextRun(s.job.schedule, after).getTime();
    s.nextAt = at;
    s.cancelNext = this.setTimer(() => this.due(s, at), at - this.clock.now().getTime());
  }

  private due(s: JobState, scheduledAt: number): void {
    if (!this.running) return;
    const now = this.clock.now();
    // Chain from the scheduled time; after a long pause (sleep), skip the missed runs.
    const chained = nextRun(s.job.schedule, new Date(scheduledAt));
    this.scheduleAfter(s, chained.getTime() > now.getTime() ? new Date(scheduledAt) : now);
    if (s.run) {
      this.record({
        url: s.job.url,
        scheduledAt: new Date(scheduledAt),
        attempt: 1,
        outcome: 'skipped',
      });
      this.logger?.warn({ url: s.job.url }, 'cron run skipped: the previous run is still retrying');
      return;
    }
    s.run = { scheduledAt, startedAt: now.getTime(), retries: 0 };
    void this.attempt(s);
  }

  private async attempt(s: JobState): Promise<void> {
    const run = s.run;
    if (!run || !this.running) return;
    const status = await this.request(s.job, new Date(run.scheduledAt));
    if (!this.running || s.run !== run) return;
    const base = {
      url: s.job.url,
      scheduledAt: new Date(run.scheduledAt),
      attempt: run.retries + 1,
    };
    const withStatus = status === undefined ? base : { ...base, status };
    if (status !== undefined && status >= 200 && status < 300) {
      s.run = undefined;
      this.logger?.debug(withStatus, 'cron job done');
      this.record({ ...withStatus, outcome: 'ok' });
      return;
    }
    const now = this.clock.now().getTime();
    if (cronRetryAllowed(s.job.retry, run.retries, (now - run.startedAt) / 1000)) {
      const delay = backoffSeconds(s.job.retry, run.retries + 1);
      run.retries += 1;
      run.cancelRetry = this.setTimer(() => void this.attempt(s), Math.round(delay * 1000));
      this.logger?.warn({ ...withStatus, retryInSeconds: delay }, 'cron job failed, will retry');
      this.record({ ...withStatus, outcome: 'retry', retryInSeconds: delay });
    } else {
      s.run = undefined;
      this.logger?.error(withStatus, 'cron job failed');
      this.record({ ...withStatus, outcome: 'failed' });
    }
  }

  /** One GET with App Engine's cron headers; undefined when no answer came. */
  private async request(job: CronJob, scheduledAt: Date): Promise<number | undefined> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    timeout.unref();
    this.inFlight += 1;
    try {
      const res = await fetch(`${this.baseUrl}${job.url}`, {
        method: 'GET',
        headers: {
          'X-Appengine-Cron': 'true',
          'X-CloudScheduler': 'true',
          'X-CloudScheduler-JobName': jobName(job.url),
          'X-CloudScheduler-ScheduleTime': scheduledAt.toISOString(),
          'User-Agent': 'AppEngine-Google; (+http://code.google.com/appengine)',
        },
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        const waiters = this.settledWaiters;
        this.settledWaiters = [];
        // After the caller's continuation has run (it may schedule a retry).
        setImmediate(() => waiters.forEach((r) => r()));
      }
    }
  }

  private record(fire: CronFire): void {
    this.fired.push(fire);
    this.onFire?.(fire);
  }
}

function jobName(url: string): string {
  return `local-cron${url.replace(/[^A-Za-z0-9]+/g, '-')}`.replace(/-+$/, '');
}
