// Zendesk's rate limits the simulator enforces, as sliding windows on its own clock:
// - Incremental export: "10 requests per minute" (IncrementalSampleExport's description in
//   the OpenAPI; Zendesk docs, "Using the Incremental Exports API" → rate limits).
// - Ticket updates: Zendesk docs, "Rate limits" → "Update Ticket endpoint": 30 updates per
//   ticket per user within 10 minutes.
// A refused request does not count; the answer is 429 with `Retry-After` in seconds.

export class SlidingWindow {
  private readonly accepted = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Admits (and counts) one request for `key` at `now`, or returns the seconds to wait. */
  admit(key: string, now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.limit <= 0) return { ok: true };
    const list = (this.accepted.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length >= this.limit) {
      this.accepted.set(key, list);
      const freeAt = (list[list.length - this.limit] as number) + this.windowMs;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
    }
    list.push(now);
    this.accepted.set(key, list);
    return { ok: true };
  }
}

export const DEFAULT_TICKET_UPDATE_LIMIT = { updates: 30, perMs: 10 * 60_000 } as const;
