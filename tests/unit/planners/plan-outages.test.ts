// The reference's DetectOutages for one pair (priority × freshness table, one notice per
// side, "Syncing has resumed." once per side), one row per case.
import {
  OUTAGE_NOTICE,
  outageSince,
  planOutage,
  RESUMED_NOTICE,
} from '../../../src/domain/plan-outages';
import { at, DAY, global, HOUR, mapping, MIN, record } from './builders';

const OUTAGE = (text: string) => ({ kind: 'notify', text, notice: 'outage' });
const kinds = (p: ReturnType<typeof planOutage>) =>
  p.actions.map((a) => (a.kind === 'notify' ? `${a.notice}->${a.on}` : a.kind));

describe('planOutage', () => {
  // Every row: synced (and polled) at T0; now = T0 + late.
  it.each([
    ['P0 fresh, 10 minutes late: within tolerance', mapping({ priority: 0 }), 10 * MIN, false, []],
    [
      'P0 fresh, 11 minutes late: outage on both sides',
      mapping({ priority: 0 }),
      11 * MIN,
      true,
      ['mark-outage', 'outage->google', 'outage->company'],
    ],
    [
      'P1 default (2 h old), 15 minutes late: within',
      mapping({ priority: 1, newContentAt: at(-2 * HOUR) }),
      15 * MIN,
      false,
      [],
    ],
    [
      'P1 default, 16 minutes late: outage',
      mapping({ priority: 1, newContentAt: at(-2 * HOUR) }),
      16 * MIN,
      true,
      ['mark-outage', 'outage->google', 'outage->company'],
    ],
    [
      'P4 stale (2 days old), 240 minutes late: within',
      mapping({ priority: 4, newContentAt: at(-2 * DAY) }),
      240 * MIN,
      false,
      [],
    ],
    [
      'P4 stale, 241 minutes late: outage',
      mapping({ priority: 4, newContentAt: at(-2 * DAY) }),
      241 * MIN,
      true,
      ['mark-outage', 'outage->google', 'outage->company'],
    ],
    [
      'already marked, Google told: only Jira is told',
      mapping({ priority: 0, outageDetectedAt: at(11 * MIN), outageCommentSentToGoogle: true }),
      20 * MIN,
      true,
      ['outage->company'],
    ],
    [
      'both told: nothing more while it lasts',
      mapping({
        priority: 0,
        outageDetectedAt: at(11 * MIN),
        outageCommentSentToGoogle: true,
        outageCommentSentToCompany: true,
      }),
      30 * MIN,
      true,
      [],
    ],
    [
      'counterpart never created: only the Google side is told',
      mapping({
        priority: 0,
        companyCaseID: null,
        companyCaseKey: null,
        googleUpdatesSyncedAt: null,
        googlePendingSince: at(0),
      }),
      11 * MIN,
      true,
      ['mark-outage', 'outage->google'],
    ],
    [
      'counterpart never created from Jira: only Jira is told',
      mapping({
        priority: 0,
        googleCaseName: null,
        companyUpdatesSyncedAt: null,
        companyPendingSince: at(0),
        origin: 'company',
      }),
      11 * MIN,
      true,
      ['mark-outage', 'outage->company'],
    ],
    [
      'counterpart never created, adopted 5 minutes ago: not yet',
      mapping({
        priority: 0,
        companyCaseID: null,
        googleUpdatesSyncedAt: null,
        googlePendingSince: at(0),
      }),
      5 * MIN,
      false,
      [],
    ],
    [
      'a resolved pair is never an outage',
      mapping({ priority: 0, resolvedAt: at(0) }),
      DAY,
      false,
      [],
    ],
    [
      'a paused pair is never an outage (no notices)',
      mapping({ priority: 0, pausedAt: at(0) }),
      DAY,
      false,
      [],
    ],
  ] as const)('%s', (_name, m, lateMs, outage, expected) => {
    const plan = planOutage(m, global(), at(lateMs));
    expect(plan.outage).toBe(outage);
    expect(kinds(plan)).toEqual(expected);
  });

  it('a notice recorded but whose flag was not saved (the mapping changed meanwhile) is not posted again', () => {
    const detected = at(11 * MIN);
    const m = mapping({ priority: 0, outageDetectedAt: detected, outageCommentSentToGoogle: true });
    const jiraTold = record({
      kind: 'notice',
      sourceSide: 'company',
      sourceId: `${OUTAGE_NOTICE}c9`,
      createdAt: at(12 * MIN),
    });
    expect(kinds(planOutage(m, global(), at(20 * MIN), [jiraTold]))).toEqual([]);
    // an outage notice of an earlier outage does not count
    const old = { ...jiraTold, createdAt: at(-DAY) };
    expect(kinds(planOutage(m, global(), at(20 * MIN), [old]))).toEqual(['outage->company']);
  });

  it('a pending change counts from the last sync, not from the last poll', () => {
    const m = mapping({ priority: 0, googlePendingSince: at(1 * MIN) });
    expect(planOutage(m, global(at(10 * MIN)), at(11 * MIN)).outage).toBe(true);
    expect(planOutage(mapping({ priority: 0 }), global(at(10 * MIN)), at(11 * MIN)).outage).toBe(
      false,
    );
  });

  it('the notice names how long the pair has not synced (SPEC §3.4 text)', () => {
    const plan = planOutage(mapping({ priority: 0 }), global(), at(75 * MIN));
    expect(plan.actions).toContainEqual({
      ...OUTAGE('This case has not synced properly in 1 hour 15 minutes.'),
      on: 'google',
    });
  });

  it('an outage starts when the older side last synced, the same at every run while it lasts', () => {
    const m = mapping({ priority: 0, googlePendingSince: at(1 * MIN) });
    const since = outageSince(m, global(at(10 * MIN)));
    expect(since).toEqual(m.googleUpdatesSyncedAt ?? m.newContentAt);
    expect(outageSince(m, global(at(15 * MIN)))).toEqual(since);
  });

  describe('recovery (in step again)', () => {
    const detected = at(-30 * MIN);
    const resumed = (side: 'google' | 'company', createdAt = at(-1 * MIN)) =>
      record({
        kind: 'notice',
        sourceSide: side,
        sourceId: `${RESUMED_NOTICE}c-${side}`,
        createdAt,
      });
    it.each([
      [
        'both were told: resume on both, then end',
        mapping({
          outageDetectedAt: detected,
          outageCommentSentToGoogle: true,
          outageCommentSentToCompany: true,
        }),
        [],
        ['resumed->google', 'resumed->company', 'end-outage'],
      ],
      [
        'Jira was down and never told: resume on both anyway',
        mapping({ outageDetectedAt: detected, outageCommentSentToGoogle: true }),
        [],
        ['resumed->google', 'resumed->company', 'end-outage'],
      ],
      [
        'Google already got its resume: only Jira',
        mapping({
          outageDetectedAt: detected,
          outageCommentSentToGoogle: true,
          outageCommentSentToCompany: true,
        }),
        [resumed('google')],
        ['resumed->company', 'end-outage'],
      ],
      [
        'a resume from an earlier outage does not count',
        mapping({ outageDetectedAt: detected, outageCommentSentToGoogle: true }),
        [resumed('google', at(-2 * DAY))],
        ['resumed->google', 'resumed->company', 'end-outage'],
      ],
      [
        'a dry run that said a resume (DRY_RUN record) does not count',
        mapping({ outageDetectedAt: detected, outageCommentSentToGoogle: true }),
        [
          record({
            kind: 'dry-run',
            sourceSide: 'google',
            sourceId: `${RESUMED_NOTICE}c-google`,
            createdAt: at(-1 * MIN),
          }),
        ],
        ['resumed->google', 'resumed->company', 'end-outage'],
      ],
      ['no outage was marked or told: nothing', mapping(), [], []],
    ] as const)('%s', (_name, m, records, expected) => {
      const plan = planOutage(m, global(), at(0), records);
      expect(plan.outage).toBe(false);
      expect(kinds(plan)).toEqual(expected);
    });
  });
});
