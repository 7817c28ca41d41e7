// An adaptive request budget for one upstream API (one per adapter instance: Jira, Zendesk,
// Cloud Support; ServiceNow can adopt it with its own header reader). It is fed by every
// response (its rate-limit headers, read by a `RateLimitReader`) and by every 429, and it
// paces the next calls so that they stay inside the headroom the upstream reports:
//
// - bucket (Jira's burst limits, a token bucket: X-RateLimit-Limit / -Remaining / -Reset):
//   the remaining tokens are projected forward with the refill rate (from the reset time,
//   else measured between responses); while a call would dip into the reserve (20 % of
//   the limit, Jira's own X-RateLimit-NearLimit threshold), it waits until the refill
//   covers it, so the calls flow at the refill rate instead of hitting zero.
// - window (Zendesk's requests per minute: X-Rate-Limit / -Remaining, ratelimit-reset):
//   the remaining calls of the window are spread over the time left once under the
//   reserve, and none is sent past a small floor until the window resets.
// - learned (no headers, e.g. Google's per-minute quota; opt-in, `learnLimit`): after a 429 the number of calls
//   accepted in the last window becomes the limit, kept as a sliding window from then on
//   and raised by 1 % each window without a 429 (the quota may be higher than one burst showed).
//
// A 429 that concerns the whole upstream pauses it until its Retry-After (or reset) has
// passed; a 429 the reader scopes to one resource (Jira's per-issue write limit, Zendesk's
// per-ticket update or export limits) does not. Waits are done in the request only while
// short (`maxWaitMs`, default 3 s); a longer one is refused at once with an
// `UpstreamPausedError` (kind rate-limited, nothing sent): the task answers 503 with that
// Retry-After and the queue dispatches it again later, so the queue's real dispatch rate
// follows the upstream's headroom while queue.yaml's rate only caps it.
//
// Why not `bottleneck` (the usual token-bucket library): its clock is the real one (no
// injected now/sleep, which our tests need: STYLE.md, no sleeping in tests), its reservoir
// is refreshed on a fixed interval rather than set from each response's headers, and it
// has had no release since 2019. The arithmetic here is small and all of it is tested.
//
// In memory, per process: other instances share the upstream's counters, which every
// response reports, so each instance adapts to what all of them consume together.
import { SyncError } from '../../domain/errors';

/** What one response said about the upstream's allowance (see rate-limit-headers.ts). */
export type RateLimitInfo =
  | {
      readonly model: 'bucket';
      readonly limit: number;
      readonly remaining: number;
      /** Epoch ms when the bucket is full again, when the upstream says. */
      readonly fullAtMs?: number;
    }
  | {
      readonly model: 'window';
      readonly limit: number;
      readonly remaining: number;
      /** Epoch ms when the window resets. */
      readonly resetAtMs: number;
      readonly windowMs: number;
    };

export interface RateLimitReading {
  readonly info?: RateLimitInfo;
  /**
   * The answer was a rate-limit refusal (429): of the whole upstream (pause it), or of one
   * resource only (an issue, a ticket, an endpoint: the upstream is not paused).
   */
  readonly refused?: 'upstream' | 'resource';
  /** How long an upstream refusal pauses it: its Retry-After, or its reset. */
  readonly pauseMs?: number;
}

/**
 * Reads one response's status and headers (a fetch Headers, axios headers or a record), and
 * the body of a refusal where the caller read it (Google names its quota only there).
 */
export type RateLimitReader = (
  status: number,
  headers: unknown,
  nowMs: number,
  body?: string,
) => RateLimitReading;

export interface UpstreamBudgetOptions {
  /** The upstream's name, for errors (`jira`, `zendesk`, `google`). */
  readonly source: string;
  readonly read: RateLimitReader;
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Longest wait inside a request; a longer one is refused (UpstreamPausedError). Default 3 s. */
  readonly maxWaitMs?: number;
  /** Share of the limit kept in reserve (the pacing threshold). Default 0.2. */
  readonly reserveFraction?: number;
  /** Pause after an upstream-wide 429 that says nothing about when to return. Default 10 s. */
  readonly defaultPauseMs?: number;
  /** Window of the `learned` model (no headers). Default 60 s (per-minute quotas). */
  readonly learnedWindowMs?: number;
  /**
   * Learn a limit from a header-less upstream's 429s (the `learned` model). Default false:
   * a 429 that is not about the quota (a fault, another endpoint's limit) would teach a
   * limit far too low, so by default such an upstream is only paused after a 429.
   */
  readonly learnLimit?: boolean;
}

export interface UpstreamBudgetStats {
  /** Calls let through. */
  readonly calls: number;
  /** Calls that had to wait (paced), and the total time waited. */
  readonly paced: number;
  readonly waitedMs: number;
  /** Calls refused locally (paused for longer than maxWaitMs). */
  readonly refused: number;
  /** Rate-limit refusals the upstream answered (429s), all scopes. */
  readonly upstream429s: number;
}

/** The budget refused a call before sending it: the upstream is paused for that long. */
export class UpstreamPausedError extends SyncError {
  constructor(source: string, waitMs: number) {
    super('rate-limited', `${source} is paused by its rate limit`, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      source,
    });
    this.name = 'UpstreamPausedError';
  }
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Calls kept back even at the end of a window: responses in flight may not be counted yet. */
const WINDOW_FLOOR = 2;
const REFILL_SAMPLE_MS = 500;
/** Calls accepted in the last window below which a 429 teaches no limit. */
const MIN_LEARNING_SAMPLE = 20;

export class UpstreamBudget {
  readonly source: string;
  private readonly read: RateLimitReader;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxWaitMs: number;
  private readonly reserveFraction: number;
  private readonly defaultPauseMs: number;
  private readonly learnedWindowMs: number;
  private readonly learnLimit: boolean;

  private info: RateLimitInfo | undefined;
  /** When `info` was read, and the calls taken since (reserved, in flight or sent). */
  private infoAtMs = 0;
  private takenSinceInfo = 0;
  /** Tokens per ms (bucket): from the reset time, else measured. */
  private refillPerMs: number | undefined;
  private sample: { atMs: number; remaining: number } | undefined;
  private answersSinceSample = 0;
  /** Spacing of the window model: the last slot handed out. */
  private lastSlotMs = 0;
  private outstanding = 0;
  private pausedUntilMs = 0;
  /** Learned model: accepted call instants, and the limit learned from a 429. */
  private readonly accepted: number[] = [];
  private learnedLimit: number | undefined;
  private learnedAtMs = 0;
  private counts = { calls: 0, paced: 0, waitedMs: 0, refused: 0, upstream429s: 0 };

  constructor(opts: UpstreamBudgetOptions) {
    this.source = opts.source;
    this.read = opts.read;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.maxWaitMs = Math.max(0, opts.maxWaitMs ?? 3_000);
    this.reserveFraction = Math.min(0.9, Math.max(0, opts.reserveFraction ?? 0.2));
    this.defaultPauseMs = Math.max(0, opts.defaultPauseMs ?? 10_000);
    this.learnedWindowMs = Math.max(1, opts.learnedWindowMs ?? 60_000);
    this.learnLimit = opts.learnLimit ?? false;
  }

  /**
   * Runs one upstream call inside the budget: waits for its slot (or throws
   * UpstreamPausedError when that is further than maxWaitMs), then runs `send`. The caller
   * reports the response with observe(); the slot is released whatever happens.
   */
  async run<T>(send: () => Promise<T>): Promise<T> {
    const now = this.now();
    const at = this.reserve(now);
    this.outstanding += 1;
    try {
      if (at > now) {
        this.counts.paced += 1;
        this.counts.waitedMs += at - now;
        await this.sleep(at - now);
      }
      this.counts.calls += 1;
      return await send();
    } finally {
      this.outstanding -= 1;
    }
  }

  /** Feeds one response (any status) to the budget; `body`: a refusal's body, when read. */
  observe(status: number, headers: unknown, body?: string): void {
    const now = this.now();
    const r = this.read(status, headers, now, body);
    if (r.refused !== undefined) this.counts.upstream429s += 1;
    // A 503 with Retry-After is left to retry.ts: an outage, not the rate limit.
    if (r.refused === 'upstream') this.pause(now, r.pauseMs ?? this.defaultPauseMs);
    if (r.info !== undefined) this.take(r.info, now);
    else if (this.info === undefined && status < 400) {
      // Learned model only (no headers): the accepted calls of the last window.
      this.accepted.push(now);
      this.trimAccepted(now);
    }
  }

  /** Milliseconds until the upstream accepts calls again (0 when it is not paused). */
  pausedForMs(): number {
    return Math.max(0, this.pausedUntilMs - this.now());
  }

  stats(): UpstreamBudgetStats {
    return { ...this.counts };
  }

  /** The instant at which one more call fits, counted as taken (or a refusal). */
  reserve(now: number): number {
    let at = Math.max(now, this.pausedUntilMs);
    if (at === now) at = Math.max(at, this.slotFor(now));
    if (at - now > this.maxWaitMs) {
      this.counts.refused += 1;
      throw new UpstreamPausedError(this.source, at - now);
    }
    this.takenSinceInfo += 1;
    if (this.info?.model === 'window') this.lastSlotMs = Math.max(this.lastSlotMs, at);
    return at;
  }

  private pause(now: number, ms: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, now + Math.max(0, ms));
    if (this.info === undefined && this.learnLimit) this.learn(now);
  }

  /** The earliest instant at which the current model lets one more call through. */
  private slotFor(now: number): number {
    const info = this.info;
    if (info === undefined) return this.learnedSlot(now);
    const reserve = info.limit * this.reserveFraction;
    if (info.model === 'bucket') {
      const rate = this.refillPerMs;
      const elapsed = Math.max(0, now - this.infoAtMs);
      const tokens = Math.min(
        info.limit,
        info.remaining - this.takenSinceInfo + (rate ?? 0) * elapsed,
      );
      if (tokens - 1 >= reserve) return now;
      // No known refill yet: wait for the next answer to tell (a short, bounded wait).
      if (rate === undefined || rate <= 0) return tokens >= 1 ? now : now + REFILL_SAMPLE_MS;
      return now + Math.ceil((reserve + 1 - tokens) / rate);
    }
    if (now >= info.resetAtMs) {
      // A new window: nothing known yet beyond its size.
      const windows = Math.floor((now - info.resetAtMs) / info.windowMs) + 1;
      this.info = {
        ...info,
        remaining: info.limit,
        resetAtMs: info.resetAtMs + windows * info.windowMs,
      };
      this.infoAtMs = now;
      this.takenSinceInfo = 0;
      return this.slotFor(now);
    }
    const left = info.remaining - this.takenSinceInfo;
    if (left - 1 < WINDOW_FLOOR) return info.resetAtMs;
    if (left - 1 >= reserve) return now;
    // Under the reserve: spread what is left over the rest of the window.
    const spacing = (info.resetAtMs - now) / Math.max(1, left - WINDOW_FLOOR);
    return Math.max(now, Math.ceil(this.lastSlotMs + spacing));
  }

  private trimAccepted(now: number): void {
    const cutoff = now - this.learnedWindowMs;
    let drop = 0;
    while (drop < this.accepted.length && (this.accepted[drop] as number) <= cutoff) drop += 1;
    if (drop > 0) this.accepted.splice(0, drop);
  }

  private learnedSlot(now: number): number {
    this.trimAccepted(now);
    if (this.learnedLimit === undefined) return now;
    // Each quiet window lets the learned limit grow by 1 %.
    const quiet = Math.floor((now - this.learnedAtMs) / this.learnedWindowMs);
    const limit = Math.floor(this.learnedLimit * 1.01 ** Math.min(quiet, 100));
    const used = this.accepted.length + this.outstanding;
    if (used < limit) return now;
    const oldest = this.accepted[Math.max(0, used - limit)] ?? now;
    return oldest + this.learnedWindowMs;
  }

  private learn(now: number): void {
    this.trimAccepted(now);
    // A 429 after a handful of calls says nothing about a quota our traffic used up.
    const seen = this.accepted.length;
    if (seen < MIN_LEARNING_SAMPLE) return;
    this.learnedLimit = Math.max(1, Math.floor(seen * 0.95));
    this.learnedAtMs = now;
  }

  private take(info: RateLimitInfo, now: number): void {
    if (info.model === 'bucket') this.measureRefill(info, now);
    this.info = info;
    this.infoAtMs = now;
    // The calls still out may not be counted in this answer yet: count them as taken.
    this.takenSinceInfo = Math.max(0, this.outstanding - 1);
  }

  private measureRefill(info: Extract<RateLimitInfo, { model: 'bucket' }>, now: number): void {
    if (info.fullAtMs !== undefined && info.fullAtMs > now && info.remaining < info.limit) {
      this.refillPerMs = (info.limit - info.remaining) / (info.fullAtMs - now);
      return;
    }
    // No reset time: refill = (change of remaining + answers in between) / time.
    this.answersSinceSample += 1;
    const s = this.sample;
    if (s === undefined) {
      this.sample = { atMs: now, remaining: info.remaining };
      this.answersSinceSample = 0;
      return;
    }
    if (now - s.atMs < REFILL_SAMPLE_MS) return;
    const measured = (info.remaining - s.remaining + this.answersSinceSample) / (now - s.atMs);
    if (measured > 0 && info.remaining < info.limit) {
      this.refillPerMs =
        this.refillPerMs === undefined ? measured : 0.7 * this.refillPerMs + 0.3 * measured;
    }
    this.sample = { atMs: now, remaining: info.remaining };
    this.answersSinceSample = 0;
  }
}
