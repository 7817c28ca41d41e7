// The counters behind the simulators' account-wide request limits (each simulator's
// rate-limit module says which vendor behaviour it models and where it is documented).
// They run on real time (Date.now) unless given a clock: the simulators' own `now` is
// often a test's frozen FakeClock, under which a bucket would never refill.

export interface Admission {
  readonly ok: boolean;
  /** Requests left after this one (0 when refused). */
  readonly remaining: number;
  /** When the allowance is whole again: the bucket full, or the window's end. Epoch ms. */
  readonly resetAtMs: number;
  /** Refused: milliseconds until one more request would be admitted. */
  readonly retryAfterMs: number;
}

/** A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`. */
export class TokenBucket {
  private tokens: number;
  private at: number;
  private refused = 0;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1 && refillPerSecond > 0))
      throw new Error('a token bucket needs a positive integer capacity and a positive refill');
    this.tokens = capacity;
    this.at = now();
  }

  admit(): Admission {
    const now = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + (Math.max(0, now - this.at) / 1000) * this.refillPerSecond,
    );
    this.at = Math.max(this.at, now);
    const ok = this.tokens >= 1;
    if (ok) this.tokens -= 1;
    else this.refused += 1;
    const perMs = this.refillPerSecond / 1000;
    return {
      ok,
      remaining: Math.floor(this.tokens),
      resetAtMs: now + Math.ceil((this.capacity - this.tokens) / perMs),
      retryAfterMs: ok ? 0 : Math.ceil((1 - this.tokens) / perMs),
    };
  }

  rejections(): number {
    return this.refused;
  }
}

/** `limit` requests per fixed window of `windowMs` aligned on the clock (a minute: :00 to :59). */
export class FixedWindow {
  private start = 0;
  private used = 0;
  private refused = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isInteger(limit) && limit >= 1 && windowMs > 0))
      throw new Error('a window needs a positive integer limit and a positive length');
  }

  admit(): Admission {
    const now = this.now();
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    if (start !== this.start) {
      this.start = start;
      this.used = 0;
    }
    const resetAtMs = start + this.windowMs;
    const ok = this.used < this.limit;
    if (ok) this.used += 1;
    else this.refused += 1;
    return {
      ok,
      remaining: this.limit - this.used,
      resetAtMs,
      retryAfterMs: ok ? 0 : resetAtMs - now,
    };
  }

  rejections(): number {
    return this.refused;
  }
}

/** `limit` requests in any `windowMs` (a rolling window). */
export class RollingWindow {
  private readonly accepted: number[] = [];
  private refused = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isInteger(limit) && limit >= 1 && windowMs > 0))
      throw new Error('a window needs a positive integer limit and a positive length');
  }

  admit(): Admission {
    const now = this.now();
    let drop = 0;
    while (drop < this.accepted.length && (this.accepted[drop] as number) <= now - this.windowMs)
      drop += 1;
    if (drop > 0) this.accepted.splice(0, drop);
    const ok = this.accepted.length < this.limit;
    if (ok) this.accepted.push(now);
    else this.refused += 1;
    const oldest = this.accepted[0] ?? now;
    return {
      ok,
      remaining: this.limit - this.accepted.length,
      resetAtMs: oldest + this.windowMs,
      retryAfterMs: ok ? 0 : Math.max(1, oldest + this.windowMs - now),
    };
  }

  rejections(): number {
    return this.refused;
  }
}
