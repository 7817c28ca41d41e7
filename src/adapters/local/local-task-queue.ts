// In-process push queue (TASK_QUEUE=local: sandbox, tests, local runs). It behaves like the
// Cloud Tasks queue of queue.yaml that it is built from: tasks are POSTed to the app's own
// task routes with the App Engine queue headers, paced by the queue's rate (token bucket)
// and max_concurrent_requests, and retried with its retry_parameters until a 2xx answer.
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { EnqueueOptions, EnqueueResult, SyncTask, TaskQueue } from '../../ports/task-queue';
import { SyncError } from '../../domain/errors';
import { parseRetryAfter } from '../http/retry-after';
import { systemClock } from '../system-clock';
import { taskHttpRequest, taskIdForDedupKey } from '../app-engine/task-request';
import { backoffSeconds, queueRetryAllowed } from './gae-retry';
import type { QueueSettings } from './queue-yaml';

/** Runs `fn` after `ms` milliseconds; returns a function that cancels it. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

/** Real timers, unref'd so that a pending retry never keeps the process alive. */
export const systemTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref();
  return () => clearTimeout(t);
};

export interface TaskOutcome {
  readonly queue: string;
  readonly taskName: string;
  readonly kind: SyncTask['kind'];
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** HTTP status when an answer came (with duplicate delivery: the best one). */
  readonly status?: number;
  readonly outcome: 'delivered' | 'retry' | 'gave-up';
  /** With `retry`: when the next attempt is due. */
  readonly retryInSeconds?: number;
}

export interface LocalQueueStats {
  readonly delivered: number;
  readonly retried: number;
  readonly gaveUp: number;
  readonly pending: number;
  readonly inFlight: number;
}

export interface LocalTaskQueueOptions {
  /** The app's own URL, e.g. http://127.0.0.1:8080. */
  readonly baseUrl: string;
  /** From queue.yaml (loadQueueConfig). */
  readonly queue: QueueSettings;
  readonly clock?: Clock;
  /** Inject with the clock to drive time in tests (tests/support/manual-timers.ts). */
  readonly setTimer?: SetTimer;
  readonly logger?: Logger;
  readonly onOutcome?: (info: TaskOutcome) => void;
  /**
   * Test mode: deliver every attempt N times concurrently, as Cloud Tasks' at-least-once
   * delivery may. The attempt counts as a success when any copy gets a 2xx.
   */
  readonly duplicateDelivery?: number;
  /** Per-request deadline (Cloud Tasks: 10 min for App Engine targets). */
  readonly dispatchDeadlineMs?: number;
}

/** Cloud Tasks keeps a task's name for about an hour after it ran. */
const DEDUP_WINDOW_MS = 60 * 60 * 1000;
const DEFAULT_DEADLINE_MS = 10 * 60 * 1000;

interface Entry {
  readonly name: string;
  readonly task: SyncTask;
  readonly dedupKey?: string;
  dueAt: number;
  /** Retries so far (X-AppEngine-TaskRetryCount). */
  retries: number;
  /** Attempts that got an HTTP answer (X-AppEngine-TaskExecutionCount). */
  executions: number;
  firstAttemptAt?: number;
}

interface AttemptResult {
  readonly status?: number;
  readonly retryAfterSeconds?: number;
}

export class LocalTaskQueue implements TaskQueue {
  private readonly baseUrl: string;
  private readonly settings: QueueSettings;
  private readonly clock: Clock;
  private readonly setTimer: SetTimer;
  private readonly logger?: Logger;
  private readonly onOutcome?: (info: TaskOutcome) => void;
  private readonly copies: number;
  private readonly deadlineMs: number;

  private readonly pending: Entry[] = [];
  /** dedupKey → 'active' while pending or in flight, else the time it finished. */
  private readonly names = new Map<string, 'active' | number>();
  private readonly controllers = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];
  private settledWaiters: Array<() => void> = [];
  private inFlight = 0;
  private tokens: number;
  private refilledAt: number;
  private wake: { at: number; cancel: () => void } | undefined;
  private seq = 0;
  private closed = false;
  private counts = { delivered: 0, retried: 0, gaveUp: 0 };

  constructor(opts: LocalTaskQueueOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.settings = opts.queue;
    this.clock = opts.clock ?? systemClock;
    this.setTimer = opts.setTimer ?? systemTimer;
    this.logger = opts.logger;
    this.onOutcome = opts.onOutcome;
    this.copies = Math.max(1, Math.floor(opts.duplicateDelivery ?? 1));
    this.deadlineMs = opts.dispatchDeadlineMs ?? DEFAULT_DEADLINE_MS;
    this.tokens = Math.max(1, this.settings.bucketSize);
    this.refilledAt = this.nowMs();
  }

  async enqueue(task: SyncTask, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    if (this.closed)
      throw new SyncError('retry', 'local task queue is closed', { source: 'local-queue' });
    const now = this.nowMs();
    const key = opts.dedupKey;
    if (key !== undefined) {
      this.forgetOldNames(now);
      if (this.names.has(key)) return 'duplicate'; // a success, as with Cloud Tasks names
      this.names.set(key, 'active');
    }
    const name = key !== undefined ? taskIdForDedupKey(key) : `${now.toString(36)}-${++this.seq}`;
    this.pending.push({
      name,
      task,
      // Cloud Tasks' scheduleTime: a time in the past means now.
      dueAt: Math.max(now, opts.notBefore?.getTime() ?? now),
      retries: 0,
      executions: 0,
      ...(key === undefined ? {} : { dedupKey: key }),
    });
    this.pump();
    return 'created';
  }

  /** Resolves when nothing is pending or in flight (all delivered or given up). */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves when no request is in flight: what is left waits on a timer (a retry's backoff
   * or the rate). With injected timers, tests alternate `settled()` and advancing time.
   */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  stats(): LocalQueueStats {
    return { ...this.counts, pending: this.pending.length, inFlight: this.inFlight };
  }

  /** Stops timers and aborts requests in flight; pending tasks are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake?.cancel();
    this.wake = undefined;
    for (const c of this.controllers) c.abort();
    this.pending.length = 0;
    this.notify();
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }

  private forgetOldNames(now: number): void {
    for (const [key, state] of this.names) {
      if (state !== 'active' && now - state >= DEDUP_WINDOW_MS) this.names.delete(key);
    }
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt) / 1000;
    this.tokens = Math.min(
      Math.max(1, this.settings.bucketSize),
      this.tokens + elapsed * this.settings.ratePerSecond,
    );
    this.refilledAt = now;
  }

  /** Dispatches what the rate and the concurrency cap allow, then sets the next wake-up. */
  private pump(): void {
    if (this.closed) return;
    const now = this.nowMs();
    this.refill(now);
    this.pending.sort((a, b) => a.dueAt - b.dueAt);
    let wakeAt: number | undefined;
    while (this.inFlight < this.settings.maxConcurrentRequests) {
      const next = this.pending[0];
      if (!next) break;
      if (next.dueAt > now) {
        wakeAt = next.dueAt;
        break;
      }
      if (this.tokens < 1) {
        // A paused queue (rate 0) waits for nothing: it never wakes.
        if (this.settings.ratePerSecond > 0) {
          wakeAt = now + Math.ceil(((1 - this.tokens) / this.settings.ratePerSecond) * 1000);
        }
        break;
      }
      this.tokens -= 1;
      this.pending.shift();
      this.dispatch(next, now);
    }
    this.setWake(wakeAt, now);
  }

  private setWake(at: number | undefined, now: number): void {
    if (at !== undefined && this.wake?.at === at) return;
    this.wake?.cancel();
    this.wake = undefined;
    if (at === undefined) return;
    const cancel = this.setTimer(() => {
      this.wake = undefined;
      this.pump();
    }, at - now);
    this.wake = { at, cancel };
  }

  private dispatch(entry: Entry, now: number): void {
    this.inFlight += 1;
    entry.firstAttemptAt ??= now;
    const attempt = entry.retries + 1;
    const copies = Array.from({ length: this.copies }, () => this.deliverOnce(entry));
    void Promise.all(copies).then((results) => this.complete(entry, attempt, results));
  }

  private async deliverOnce(entry: Entry): Promise<AttemptResult> {
    const { relativeUri, body } = taskHttpRequest(entry.task);
    const controller = new AbortController();
    this.controllers.add(controller);
    const deadline = setTimeout(() => controller.abort(), this.deadlineMs);
    deadline.unref();
    try {
      const res = await fetch(`${this.baseUrl}${relativeUri}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-AppEngine-QueueName': this.settings.name,
          'X-AppEngine-TaskName': entry.name,
          'X-AppEngine-TaskRetryCount': String(entry.retries),
          'X-AppEngine-TaskExecutionCount': String(entry.executions),
          'X-AppEngine-TaskETA': (entry.dueAt / 1000).toFixed(6),
        },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined); // frees the connection
      const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'), this.nowMs());
      return {
        status: res.status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      };
    } catch {
      return {}; // network error, dropped connection or deadline: retried like a 5xx
    } finally {
      clearTimeout(deadline);
      this.controllers.delete(controller);
    }
  }

  private complete(entry: Entry, attempt: number, results: readonly AttemptResult[]): void {
    this.inFlight -= 1;
    if (this.closed) {
      this.notify();
      return;
    }
    const now = this.nowMs();
    const ok = results.find((r) => r.status !== undefined && r.status >= 200 && r.status < 300);
    const base = {
      queue: this.settings.name,
      taskName: entry.name,
      kind: entry.task.kind,
      attempt,
    };
    if (ok) {
      this.counts.delivered += 1;
      this.finish(entry, now);
      this.logger?.debug({ ...base, status: ok.status }, 'task delivered');
      this.onOutcome?.({ ...base, status: ok.status, outcome: 'delivered' });
    } else {
      const answered = results.filter((r) => r.status !== undefined);
      const status = answered[0]?.status;
      if (answered.length > 0) entry.executions += 1;
      const ageSeconds = (now - (entry.firstAttemptAt ?? now)) / 1000;
      if (queueRetryAllowed(this.settings.retry, entry.retries, ageSeconds)) {
        const retryAfter = Math.max(0, ...answered.map((r) => r.retryAfterSeconds ?? 0));
        const delay = Math.max(backoffSeconds(this.settings.retry, entry.retries + 1), retryAfter);
        entry.retries += 1;
        entry.dueAt = now + Math.round(delay * 1000);
        this.pending.push(entry);
        this.counts.retried += 1;
        const info = {
          ...base,
          ...(status === undefined ? {} : { status }),
          retryInSeconds: delay,
        };
        // A 409 is a pair's lease held by another run: expected, not a warning.
        if (status === 409) this.logger?.info(info, 'task conflicted, will retry');
        else this.logger?.warn(info, 'task failed, will retry');
        this.onOutcome?.({ ...info, outcome: 'retry' });
      } else {
        this.counts.gaveUp += 1;
        this.finish(entry, now);
        const info = { ...base, ...(status === undefined ? {} : { status }) };
        this.logger?.error(info, 'task failed, retry limits reached: dropped');
        this.onOutcome?.({ ...info, outcome: 'gave-up' });
      }
    }
    this.pump();
    this.notify();
  }

  private finish(entry: Entry, now: number): void {
    if (entry.dedupKey !== undefined) this.names.set(entry.dedupKey, now);
  }

  private notify(): void {
    if (this.inFlight === 0) {
      const settled = this.settledWaiters;
      this.settledWaiters = [];
      settled.forEach((r) => r());
      if (this.pending.length === 0) {
        const idle = this.idleWaiters;
        this.idleWaiters = [];
        idle.forEach((r) => r());
      }
    }
  }
}
