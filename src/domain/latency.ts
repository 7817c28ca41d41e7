// The reference design's latency tolerance (DetectOutages): how long a change may take to
// reach the other side before the connector calls it an outage. It depends on the case's
// priority and on its freshness (time since newContentAt), so that a short maintenance
// window does not spam quiet, low-priority cases.

import { Duration } from 'luxon';
import type { Priority } from './types';

export type Freshness = 'fresh' | 'default' | 'stale';

const FRESH_UNTIL = Duration.fromObject({ hours: 1 });
const DEFAULT_UNTIL = Duration.fromObject({ days: 1 });

/**
 * Tolerance per priority and freshness, from the reference's table:
 *
 * | Priority | Fresh (< 1 hour) | Default (1 hour – 1 day) | Stale (> 1 day) |
 * |----------|------------------|--------------------------|-----------------|
 * | P0       | 10 min           | 10 min                   | 15 min          |
 * | P1       | 10 min           | 15 min                   | 60 min          |
 * | P2       | 10 min           | 20 min                   | 120 min         |
 * | P3       | 10 min           | 20 min                   | 240 min         |
 * | P4       | 10 min           | 30 min                   | 240 min         |
 */
export const LATENCY_TOLERANCE_MINUTES: Readonly<
  Record<Priority, Readonly<Record<Freshness, number>>>
> = Object.freeze({
  0: Object.freeze({ fresh: 10, default: 10, stale: 15 }),
  1: Object.freeze({ fresh: 10, default: 15, stale: 60 }),
  2: Object.freeze({ fresh: 10, default: 20, stale: 120 }),
  3: Object.freeze({ fresh: 10, default: 20, stale: 240 }),
  4: Object.freeze({ fresh: 10, default: 30, stale: 240 }),
});

/**
 * Freshness of a case, from the time since its newest content (`now − newContentAt`).
 *
 * Boundaries (the reference leaves them open): the 'default' band is closed at both
 * ends, i.e. fresh is `age < 1 hour`, default is `1 hour ≤ age ≤ 1 day`, stale is
 * `age > 1 day`. This reads the reference's labels literally ("Fresh (<1 hour)", "Stale
 * (>1 day)"): exactly one hour is already 'default', exactly one day is still 'default'.
 * A newContentAt in the future (clock skew) counts as fresh.
 */
export function freshness(newContentAt: Date, now: Date): Freshness {
  const ageMs = now.getTime() - newContentAt.getTime();
  if (ageMs < FRESH_UNTIL.toMillis()) return 'fresh';
  if (ageMs <= DEFAULT_UNTIL.toMillis()) return 'default';
  return 'stale';
}

/** The latency tolerance, in milliseconds, for a case of that priority and freshness. */
export function latencyToleranceMs(priority: Priority, newContentAt: Date, now: Date): number {
  const row = LATENCY_TOLERANCE_MINUTES[priority];
  if (row === undefined) throw new RangeError(`not a priority level: ${String(priority)}`);
  return Duration.fromObject({ minutes: row[freshness(newContentAt, now)] }).toMillis();
}

/**
 * True when the side last known synced at `syncedAt` is late: `now − syncedAt` exceeds the
 * tolerance (strictly; exactly at the tolerance is not yet an outage).
 */
export function isOutage(args: {
  priority: Priority;
  newContentAt: Date;
  syncedAt: Date;
  now: Date;
}): boolean {
  const lateMs = args.now.getTime() - args.syncedAt.getTime();
  return lateMs > latencyToleranceMs(args.priority, args.newContentAt, args.now);
}
