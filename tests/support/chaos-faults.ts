// The chaos suite's upstream faults: a random 30 % of API requests answered 500, 503 or
// 429 (both with Retry-After: 1 second), a few creating calls handled and then answered 500
// or cut (the write happened, the connector cannot know), latency spikes and a few dropped
// connections, installed on a simulator's fault registry, with a tally of what fired and of
// the requests seen.
import type { FaultRegistry, FaultSpec } from '../../src/sandbox/faults';
import type { RequestPattern } from './chaos-desks';

export interface FaultTally {
  /**
   * Injected answers by status ('429', '500', '503'), 'latency' spikes, 'drop'ped
   * connections, and 'after 500' / 'after drop' for requests handled before failing.
   */
  readonly byKind: Record<string, number>;
  total(): number;
  /** API requests seen (every one passes the registry). */
  requests(): number;
  /** Resolves once `n` more API requests have been seen. */
  nextRequests(n: number): Promise<void>;
}

/** The calls that create something on the Google API and on Jira: POSTs. */
const POSTS: readonly RequestPattern[] = [{ method: 'POST' }];

/**
 * Status faults first (each rate is conditional on the earlier ones not firing, so together
 * they hit 30 % of requests: 10 % each), then 3 % of the remaining creating calls (`creating`:
 * the API's calls that create comments, attachments, tickets, cases; POSTs by default)
 * handled and then answered 500 or cut, then latency spikes on 5 % of the rest, then 2 %
 * dropped connections.
 */
export function chaosFaults(creating: readonly RequestPattern[] = POSTS): FaultSpec[] {
  return [
    { status: 429, retryAfterSeconds: 1, rate: 0.1 },
    { status: 503, retryAfterSeconds: 1, rate: 0.1 / 0.9 },
    { status: 500, rate: 0.1 / 0.8 },
    ...creating.flatMap((p): FaultSpec[] => [
      { status: 500, after: true, ...p, rate: 0.015 / 0.7 },
      { drop: true, after: true, ...p, rate: 0.015 / 0.7 },
    ]),
    { latencyMs: 200, rate: 0.05 / 3 },
    { latencyMs: 350, rate: 0.05 / 3 },
    { latencyMs: 500, rate: 0.05 / 3 },
    { drop: true, rate: 0.02 },
  ];
}

/**
 * Counts every fault the registry fires, by kind. The registry decides (its own `match`,
 * unchanged); the tally only observes the answer.
 */
export function tallyFaults(registry: FaultRegistry): FaultTally {
  const byKind: Record<string, number> = {};
  let requests = 0;
  let waiters: { at: number; resolve: () => void }[] = [];
  const match = registry.match.bind(registry);
  registry.match = (method, pathWithQuery) => {
    requests += 1;
    const fired = match(method, pathWithQuery);
    if (fired) {
      const what = fired.drop
        ? 'drop'
        : fired.status !== undefined
          ? String(fired.status)
          : 'latency';
      const kind = fired.after ? `after ${what}` : what;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    const due = waiters.filter((w) => requests >= w.at);
    waiters = waiters.filter((w) => requests < w.at);
    due.forEach((w) => w.resolve());
    return fired;
  };
  return {
    byKind,
    total: () => Object.values(byKind).reduce((n, v) => n + v, 0),
    requests: () => requests,
    nextRequests: (n) => new Promise((resolve) => waiters.push({ at: requests + n, resolve })),
  };
}

/** Installs chaosFaults(creating); returns their ids. */
export function addChaosFaults(
  registry: FaultRegistry,
  creating: readonly RequestPattern[] = POSTS,
): string[] {
  return chaosFaults(creating).map((spec) => registry.add(spec));
}
