// Paces writes to one Jira issue under Jira Cloud's per-issue write limits.
//
// Atlassian documents them on https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
// ("Per-issue write limits"): a short window of 20 write operations per 2 seconds and a long
// window of 100 write operations per 30 seconds on a single issue; over them Jira answers 429
// with Retry-After and `RateLimit-Reason: jira-per-issue-on-write`, and advises adding delays
// between writes to the same issue while other requests continue normally. Back-filling 150
// comments into one ticket would cross both without pacing.
//
// Sliding windows, not token buckets: a bucket of 20 refilled at 10/s lets 40 writes through
// in 2 s (a full bucket, then the refill), which a sliding count of 20 per 2 s refuses. Each
// write reserves the earliest instant at which every window still has room, so concurrent
// writers in this process queue up instead of racing. In memory, per adapter instance: other
// instances are not seen (the 429 path, honoured by retry.ts, covers them).
import { SyncError } from '../../domain/errors';

export interface WriteWindow {
  /** Writes allowed within any `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
}

/** Jira Cloud's documented per-issue write limits (see the header of this file). */
export const JIRA_PER_ISSUE_WRITE_LIMITS: readonly WriteWindow[] = [
  { limit: 20, windowMs: 2_000 },
  { limit: 100, windowMs: 30_000 },
];

export interface IssueWriteLimiterOptions {
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Added to every window: the server counts arrivals, which jitter with the network. Default 200 ms. */
  readonly marginMs?: number;
  /**
   * A write whose slot is further away than this is refused at once with a rate-limited
   * SyncError (the queue retries the task later) instead of holding the request. Default 60 s.
   */
  readonly maxWaitMs?: number;
}

const SWEEP_ABOVE = 256;

export class IssueWriteLimiter {
  private readonly windows: readonly WriteWindow[];
  private readonly longestMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly marginMs: number;
  private readonly maxWaitMs: number;
  /** Issue → reserved write instants, ascending. */
  private readonly slots = new Map<string, number[]>();

  constructor(windows: readonly WriteWindow[], opts: IssueWriteLimiterOptions = {}) {
    for (const w of windows) {
      if (!(Number.isInteger(w.limit) && w.limit >= 1 && w.windowMs > 0))
        throw new Error('a write window needs a positive integer limit and a positive windowMs');
    }
    this.windows = windows;
    this.marginMs = Math.max(0, opts.marginMs ?? 200);
    this.longestMs = Math.max(0, ...windows.map((w) => w.windowMs)) + this.marginMs;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
  }

  /** Waits until one more write to `issue` fits every window, and counts it. */
  async acquire(issue: string): Promise<void> {
    const now = this.now();
    const at = this.reserve(issue, now);
    if (at > now) await this.sleep(at - now);
  }

  /** Reserves the next free instant for a write to `issue` (≥ now) and returns it. */
  reserve(issue: string, now: number): number {
    if (this.windows.length === 0) return now;
    if (this.slots.size > SWEEP_ABOVE) this.sweep(now);
    const list = (this.slots.get(issue) ?? []).filter((t) => t > now - this.longestMs);
    let at = Math.max(now, list[list.length - 1] ?? now);
    for (const w of this.windows) {
      // Reservations only grow, so every earlier one is ≤ at: the window (at − W, at] has
      // room once the limit-th most recent write has left it.
      const blocking = list[list.length - w.limit];
      if (blocking !== undefined) at = Math.max(at, blocking + w.windowMs + this.marginMs);
    }
    if (at - now > this.maxWaitMs) {
      throw new SyncError('rate-limited', 'Jira per-issue write limit: too many queued writes', {
        retryAfterSeconds: Math.ceil((at - now) / 1000),
        source: 'jira',
      });
    }
    list.push(at);
    this.slots.set(issue, list);
    return at;
  }

  private sweep(now: number): void {
    for (const [issue, list] of this.slots) {
      if ((list[list.length - 1] ?? 0) <= now - this.longestMs) this.slots.delete(issue);
    }
  }
}
