import {
  LATENCY_TOLERANCE_MINUTES,
  freshness,
  isOutage,
  latencyToleranceMs,
  type Freshness,
} from '../../src/domain/latency';
import type { Priority } from '../../src/domain/types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = new Date('2026-05-04T12:00:00.000Z');
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

describe('freshness', () => {
  it.each<[string, number, Freshness]>([
    ['new content right now', 0, 'fresh'],
    ['new content in the future (clock skew)', -5 * MINUTE, 'fresh'],
    ['30 minutes', 30 * MINUTE, 'fresh'],
    ['1 ms short of 1 hour', HOUR - 1, 'fresh'],
    ['exactly 1 hour', HOUR, 'default'],
    ['1 ms past 1 hour', HOUR + 1, 'default'],
    ['12 hours', 12 * HOUR, 'default'],
    ['1 ms short of 1 day', DAY - 1, 'default'],
    ['exactly 1 day', DAY, 'default'],
    ['1 ms past 1 day', DAY + 1, 'stale'],
    ['30 days', 30 * DAY, 'stale'],
  ])('%s → %s', (_label, age, expected) => {
    expect(freshness(ago(age), NOW)).toBe(expected);
  });
});

// The reference design's table, cell by cell (minutes).
const TABLE: ReadonlyArray<[Priority, number, number, number]> = [
  [0, 10, 10, 15],
  [1, 10, 15, 60],
  [2, 10, 20, 120],
  [3, 10, 20, 240],
  [4, 10, 30, 240],
];
const AGE_FOR: Readonly<Record<Freshness, number>> = {
  fresh: 10 * MINUTE,
  default: 3 * HOUR,
  stale: 3 * DAY,
};
const CELLS = TABLE.flatMap(([p, fresh, dflt, stale]) =>
  (
    [
      ['fresh', fresh],
      ['default', dflt],
      ['stale', stale],
    ] as const
  ).map(([f, minutes]) => [p, f, minutes] as [Priority, Freshness, number]),
);

describe('latencyToleranceMs', () => {
  it('has 15 cells', () => {
    expect(CELLS).toHaveLength(15);
  });

  it.each(CELLS)('P%p %s → %p min', (priority, f, minutes) => {
    expect(latencyToleranceMs(priority, ago(AGE_FOR[f]), NOW)).toBe(minutes * MINUTE);
    expect(LATENCY_TOLERANCE_MINUTES[priority][f]).toBe(minutes);
  });

  it.each<[Priority, number, number]>([
    [0, HOUR - 1, 10],
    [4, HOUR - 1, 10],
    [4, HOUR, 30],
    [4, DAY, 30],
    [4, DAY + 1, 240],
    [1, DAY + 1, 60],
  ])('P%p at age %p ms → %p min (boundaries)', (priority, age, minutes) => {
    expect(latencyToleranceMs(priority, ago(age), NOW)).toBe(minutes * MINUTE);
  });

  it('rejects a number that is not a level', () => {
    expect(() => latencyToleranceMs(9 as Priority, NOW, NOW)).toThrow(/not a priority level/);
  });
});

describe('isOutage', () => {
  it.each(CELLS)(
    'P%p %s: late by exactly the tolerance is fine, 1 ms more is an outage',
    (priority, f, minutes) => {
      const newContentAt = ago(AGE_FOR[f]);
      const tolerance = minutes * MINUTE;
      expect(isOutage({ priority, newContentAt, syncedAt: ago(tolerance), now: NOW })).toBe(false);
      expect(isOutage({ priority, newContentAt, syncedAt: ago(tolerance + 1), now: NOW })).toBe(
        true,
      );
    },
  );

  it.each<[string, number, boolean]>([
    ['synced just now', 0, false],
    ['synced in the future (clock skew)', -MINUTE, false],
    ['9 minutes late', 9 * MINUTE, false],
    ['11 minutes late', 11 * MINUTE, true],
    ['a day late', DAY, true],
  ])('fresh P4 case %s → %p', (_label, late, expected) => {
    expect(isOutage({ priority: 4, newContentAt: NOW, syncedAt: ago(late), now: NOW })).toBe(
      expected,
    );
  });

  it('uses the freshness at `now`, not at `syncedAt`', () => {
    // P4, content 2 days old: stale → 240 min; 100 minutes late is not an outage.
    expect(
      isOutage({ priority: 4, newContentAt: ago(2 * DAY), syncedAt: ago(100 * MINUTE), now: NOW }),
    ).toBe(false);
    // Same lateness, fresh content (5 min old): 10 min tolerance → outage.
    expect(
      isOutage({
        priority: 4,
        newContentAt: ago(5 * MINUTE),
        syncedAt: ago(100 * MINUTE),
        now: NOW,
      }),
    ).toBe(true);
  });
});
