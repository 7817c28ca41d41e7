// Retries one upstream call inside the task's time budget (SPEC §4: "Upstream 429/503 honour
// Retry-After; other 5xx and network errors retry with backoff via the queue").
//
// - 'rate-limited' (429, or 503 with Retry-After) is retried after at least Retry-After,
//   for every request: the server refused it before doing anything.
// - 'retry' (408, 5xx, network, timeout) is retried only for idempotent requests (GET, PUT,
//   close), and only briefly (maxTransientAttempts, default 2: one retry after 125–250 ms)
//   to absorb a blip. A 503 without Retry-After is not retried here: the upstream says it is
//   unavailable, and a longer outage belongs to the queue, whose backoff is queue.yaml's
//   (SPEC §4), rather than to a task that holds its lease while hammering a down service.
//   A POST that creates something (comment, attachment, ticket, case) is never repeated on
//   those: the server may have written before the failure, and a repeat would duplicate
//   it. The queue re-runs the whole task instead, and the task's records decide.
// - Anything else (permanent, conflict, non-SyncError) is thrown at once, and so is an
//   UpstreamPausedError (http/upstream-budget.ts: nothing was sent, the upstream is paused
//   for longer than a short wait, so the task answers 503 + Retry-After to the queue).
// - When the next wait would end past the budget (default 20 s: far inside App Engine's
//   10-minute request deadline and Cloud Tasks' dispatch deadline), or the attempts run out,
//   the last SyncError is thrown unchanged: the route then answers 503 + Retry-After for
//   rate-limited (the queue slows down) and 500 for retry (the queue backs off).
//
// The attempt loop and the retry decision run on `exponential-backoff`'s backOff(). Its own
// delays are switched off (startingDelay 0): they are plain setTimeout calls that can neither
// honour a Retry-After header nor be driven by an injected clock, so the waits (exponential
// with jitter, floored at Retry-After, capped by the budget) are computed and slept here,
// inside its `retry` hook, which backOff awaits before the next attempt.
import { backOff } from 'exponential-backoff';
import { SyncError } from '../domain/errors';
import { UpstreamPausedError } from './http/upstream-budget';

const DEFAULT_RETRY_BUDGET_MS = 20_000;
const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_TRANSIENT_ATTEMPTS = 2;
/** First backoff delay for 'retry' errors; doubles each attempt. */
const BASE_DELAY_MS = 250;
/** Largest backoff delay (Retry-After may ask for more). */
const MAX_DELAY_MS = 5_000;

interface RetryEvent {
  /** The attempt that failed (1 = the first call). */
  readonly attempt: number;
  /** How long we wait before the next attempt. */
  readonly delayMs: number;
  readonly error: SyncError;
}

/** How an adapter retries; every field is optional (tests inject now/sleep/random). */
export interface RetryPolicy {
  /** Time allowed for all attempts and waits of one call, from its first attempt. Default 20 s. */
  readonly budgetMs?: number;
  /** Attempts in all, the first included (1 = never retry). Default 5. */
  readonly maxAttempts?: number;
  /** Attempts in all while the failures are transient ('retry' kind). Default 2. */
  readonly maxTransientAttempts?: number;
  /** Epoch milliseconds. Default Date.now. */
  readonly now?: () => number;
  /** Waits `ms`. Default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Called before each wait (for logs: never log the error's upstream details). */
  readonly onRetry?: (event: RetryEvent) => void;
}

export interface WithRetryOptions extends RetryPolicy {
  /**
   * The request is safe to repeat even if the server may already have done it (GET, PUT,
   * close). Default false: only refusals (rate-limited) are retried.
   */
  readonly idempotent?: boolean;
  /** Absolute deadline (epoch ms); the earlier of it and now + budgetMs applies. */
  readonly deadlineMs?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `error` may be retried for a request of this kind (ignoring time). */
export function isRetryable(error: unknown, idempotent: boolean): error is SyncError {
  if (!(error instanceof SyncError)) return false;
  // The upstream's budget refused it locally for longer than a short wait: the queue
  // retries the task later (503 + Retry-After) instead of this request holding on.
  if (error instanceof UpstreamPausedError) return false;
  if (error.kind === 'rate-limited') return true;
  return error.kind === 'retry' && idempotent && error.status !== 503;
}

/**
 * The wait before attempt `failedAttempt + 1`: exponential with jitter (half fixed, half
 * random), never less than the error's Retry-After.
 */
function retryDelayMs(
  error: SyncError,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failedAttempt - 1));
  const backoff = Math.round(exp / 2 + (exp / 2) * random());
  const retryAfterMs =
    error.retryAfterSeconds !== undefined ? Math.max(0, error.retryAfterSeconds) * 1000 : 0;
  return Math.max(backoff, retryAfterMs);
}

/**
 * Runs `op` (given the attempt number, from 1) and retries it as the header of this file
 * says. Resolves with its first success; otherwise rejects with the last error, unchanged.
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  opts: WithRetryOptions = {},
): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  const maxTransient = Math.max(
    1,
    Math.floor(opts.maxTransientAttempts ?? DEFAULT_MAX_TRANSIENT_ATTEMPTS),
  );
  const budgetMs = Math.max(0, opts.budgetMs ?? DEFAULT_RETRY_BUDGET_MS);
  const deadline = Math.min(now() + budgetMs, opts.deadlineMs ?? Number.POSITIVE_INFINITY);
  const idempotent = opts.idempotent ?? false;
  let attempt = 0;
  return backOff(
    () => {
      attempt += 1;
      return op(attempt);
    },
    {
      numOfAttempts: maxAttempts,
      startingDelay: 0,
      timeMultiple: 1,
      delayFirstAttempt: false,
      jitter: 'none',
      // backOff passes the number of attempts made so far (it documents it as "upcoming").
      retry: async (e: unknown, failedAttempts: number): Promise<boolean> => {
        if (failedAttempts >= maxAttempts || !isRetryable(e, idempotent)) return false;
        if (e.kind === 'retry' && failedAttempts >= maxTransient) return false;
        const delayMs = retryDelayMs(e, failedAttempts, opts.random);
        if (now() + delayMs > deadline) return false;
        opts.onRetry?.({ attempt: failedAttempts, delayMs, error: e });
        if (delayMs > 0) await sleep(delayMs);
        return true;
      },
    },
  );
}
