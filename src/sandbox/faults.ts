// Fault injection shared by both API simulators: error statuses (with Retry-After),
// latency and dropped connections, for the next N matching requests or a random fraction
// of them; by default before the request is handled, or (`after`) once it has been handled,
// like a server that wrote and then failed to answer. Never applies to /_control.

export interface FaultSpec {
  /** HTTP status to answer with (Jira's error envelope), e.g. 429, 500, 503. */
  status?: number;
  /** Adds `Retry-After: N` to the error answer. */
  retryAfterSeconds?: number;
  /** Fire for the next N matching requests, then disappear (every matching request when absent). */
  count?: number;
  /** Fire for this random fraction (0..1) of matching requests. */
  rate?: number;
  /** Delay before answering (alone: the request is then handled normally). */
  latencyMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** Only requests whose path (with query) contains this string. */
  pathContains?: string;
  /** Only requests with this method (case-insensitive). */
  method?: string;
  /**
   * Handle the request first (its write happens), then answer `status` or drop the
   * connection instead of the real answer: the client cannot tell whether it was written.
   */
  after?: boolean;
}

export interface FiredFault {
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly latencyMs?: number;
  readonly drop: boolean;
  /** Applies once the request has been handled (see FaultSpec.after). */
  readonly after: boolean;
}

interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  remaining: number | undefined;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number) {}

  /** Adds a fault; returns its id (for remove()). */
  add(spec: FaultSpec): string {
    if (spec.status === undefined && spec.latencyMs === undefined && spec.drop !== true) {
      throw new Error('a fault needs status, latencyMs or drop');
    }
    if (
      spec.status !== undefined &&
      (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)
    ) {
      throw new Error('fault status must be 4xx or 5xx');
    }
    if (spec.rate !== undefined && (spec.rate < 0 || spec.rate > 1)) {
      throw new Error('fault rate must be within 0..1');
    }
    if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
      throw new Error('fault count must be a positive integer');
    }
    if (spec.latencyMs !== undefined && !(spec.latencyMs >= 0)) {
      throw new Error('fault latencyMs must be >= 0');
    }
    if (spec.after === true && spec.status === undefined && spec.drop !== true) {
      throw new Error('an after fault needs status or drop');
    }
    const id = `fault-${this.nextId++}`;
    this.faults.push({ id, spec: { ...spec }, remaining: spec.count });
    return id;
  }

  remove(id: string): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  list(): (FaultSpec & { id: string; remaining?: number })[] {
    return this.faults.map((f) => ({ ...f.spec, id: f.id, remaining: f.remaining }));
  }

  /** The fault that fires for this request, if any (consumes one of its count). */
  match(method: string, pathWithQuery: string): FiredFault | undefined {
    for (const f of this.faults) {
      const s = f.spec;
      if (s.method !== undefined && s.method.toUpperCase() !== method.toUpperCase()) continue;
      if (s.pathContains !== undefined && !pathWithQuery.includes(s.pathContains)) continue;
      if (s.rate !== undefined && !(this.random() < s.rate)) continue;
      if (f.remaining !== undefined) {
        f.remaining -= 1;
        if (f.remaining <= 0) this.remove(f.id);
      }
      return {
        status: s.status,
        retryAfterSeconds: s.retryAfterSeconds,
        latencyMs: s.latencyMs,
        drop: s.drop === true,
        after: s.after === true,
      };
    }
    return undefined;
  }
}
