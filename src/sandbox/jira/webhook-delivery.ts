// Outgoing webhook requests of the simulators (Jira's admin webhooks, Zendesk's webhooks):
// each delivery is sent asynchronously (never inside the API request that caused it), with
// a per-attempt timeout, and retried by the vendor's policy (which answers and failures are
// retried, and after how long). Every delivery is recorded with its attempts, so tests and
// the bench can see what was sent; `idle()` waits until nothing is pending or in flight.

export interface OutgoingRequest {
  readonly url: string;
  readonly method: string;
  /** Headers of every attempt (`headersFor` adds per-attempt ones, e.g. a retry count). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Per-attempt headers (attempt 1 is the first; retries are 2, 3, …). */
  readonly headersFor?: (attempt: number) => Readonly<Record<string, string>>;
}

export interface AttemptRecord {
  /** HTTP status, or null when no answer came (connection refused, reset, timeout). */
  readonly status: number | null;
  readonly error?: string;
  readonly at: Date;
}

export interface DeliveryRecord {
  readonly id: string;
  readonly label: string;
  readonly url: string;
  readonly body: string;
  readonly attempts: AttemptRecord[];
  /** `pending` while an attempt is due or in flight; `delivered` on a 2xx; else `failed`. */
  state: 'pending' | 'delivered' | 'failed';
}

/**
 * The vendor's retry rule: the delay before the next attempt (ms) after a failed one, or
 * null to give up. `retries` is how many retries were already made; `retryAfter` the
 * answer's Retry-After in seconds, when it had one.
 */
export type RetryPolicy = (failure: {
  readonly status: number | null;
  readonly retries: number;
  readonly retryAfter: number | undefined;
}) => number | null;

export interface DelivererOptions {
  readonly policy: RetryPolicy;
  /** Per-attempt deadline. */
  readonly timeoutMs: number;
  /** Most deliveries kept in the record (oldest dropped first). */
  readonly keep?: number;
}

export class WebhookDeliverer {
  private readonly records: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  private active = 0;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly opts: DelivererOptions) {}

  /** Queues a delivery: its first attempt starts on a later turn of the event loop. */
  send(id: string, label: string, req: OutgoingRequest): DeliveryRecord {
    const rec: DeliveryRecord = {
      id,
      label,
      url: req.url,
      body: req.body,
      attempts: [],
      state: 'pending',
    };
    this.records.push(rec);
    const keep = this.opts.keep ?? 2000;
    if (this.records.length > keep) this.records.splice(0, this.records.length - keep);
    this.active += 1;
    this.later(() => void this.attempt(rec, req, 0), 0);
    return rec;
  }

  deliveries(): readonly DeliveryRecord[] {
    return [...this.records];
  }

  /** Resolves once no delivery is pending (retries included) or in flight. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Cancels pending retries and aborts attempts in flight. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.controllers) c.abort();
    this.active = 0;
    this.settle();
  }

  private later(fn: () => void, ms: number): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async attempt(rec: DeliveryRecord, req: OutgoingRequest, retries: number): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    timeout.unref();
    let status: number | null = null;
    let retryAfter: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers: { ...req.headers, ...(req.headersFor?.(retries + 1) ?? {}) },
        body: req.method === 'GET' ? undefined : req.body,
        signal: controller.signal,
      });
      status = res.status;
      const ra = Number(res.headers.get('retry-after'));
      retryAfter = Number.isFinite(ra) && ra >= 0 ? ra : undefined;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = controller.signal.aborted ? 'timeout' : e instanceof Error ? e.name : 'error';
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
    }
    if (this.closed) return;
    rec.attempts.push({ status, ...(error !== undefined ? { error } : {}), at: new Date() });
    if (status !== null && status >= 200 && status < 300) {
      rec.state = 'delivered';
      return this.done();
    }
    const delay = this.opts.policy({ status, retries, retryAfter });
    if (delay === null) {
      rec.state = 'failed';
      return this.done();
    }
    this.later(() => void this.attempt(rec, req, retries + 1), delay);
  }

  private done(): void {
    this.active = Math.max(0, this.active - 1);
    this.settle();
  }

  private settle(): void {
    if (this.active !== 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
