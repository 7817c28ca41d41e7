// The reference's poll rules for one changed case or ticket, one row per case.
import { planPolledItem, type Observed } from '../../../src/domain/plan-poll';
import { at, DAY, mapping, MIN } from './builders';

const now = at(10 * MIN);
const item = (patch: Partial<Observed> = {}): Observed => ({
  side: 'google',
  ref: 'organizations/1/cases/7',
  priority: 1,
  closed: false,
  createTime: at(0),
  updateTime: at(5 * MIN),
  ...patch,
});
const kinds = (actions: ReturnType<typeof planPolledItem>) =>
  actions.map((a) => (a.kind === 'skip' ? `skip:${a.reason}` : a.kind));

describe('planPolledItem', () => {
  it.each([
    [
      'an unmapped recent open case is adopted, then synced',
      item(),
      null,
      null,
      ['adopt', 'enqueue'],
    ],
    [
      'an unmapped ticket is adopted too',
      item({ side: 'company', ref: '10001', key: 'SUP-1' }),
      null,
      null,
      ['adopt', 'enqueue'],
    ],
    [
      'a case created more than 30 days ago is not adopted',
      item({ createTime: at(-31 * DAY) }),
      null,
      null,
      ['skip:too-old'],
    ],
    [
      'an unmapped closed case is not adopted',
      item({ closed: true }),
      null,
      null,
      ['skip:closed-unmapped'],
    ],
    [
      'a ticket whose Google case is already mapped is not adopted',
      item({ side: 'company', ref: '10002', counterpart: 'organizations/1/cases/7' }),
      null,
      mapping(),
      ['skip:counterpart-mapped'],
    ],
    [
      'a mirror created by the connector waits for its link',
      item({ isMirror: true }),
      null,
      null,
      ['skip:mirror-awaiting-link'],
    ],
    [
      'a resolved pair is left alone',
      item(),
      mapping({ resolvedAt: at(0) }),
      null,
      ['skip:resolved'],
    ],
    [
      'a paused pair is neither marked nor enqueued',
      item(),
      mapping({ pausedAt: at(0), googleUpdatesSyncedAt: at(1 * MIN) }),
      null,
      ['skip:paused'],
    ],
    [
      'a change after the last sync marks the side pending',
      item(),
      mapping({ googleUpdatesSyncedAt: at(1 * MIN) }),
      null,
      ['mark-pending', 'enqueue'],
    ],
    [
      'a side never synced is marked pending',
      item(),
      mapping({ googleUpdatesSyncedAt: null }),
      null,
      ['mark-pending', 'enqueue'],
    ],
    [
      'a side already pending is only enqueued',
      item(),
      mapping({ googlePendingSince: at(2 * MIN) }),
      null,
      ['enqueue'],
    ],
    [
      'an update covered by the last sync is only enqueued',
      item(),
      mapping({ googleUpdatesSyncedAt: at(6 * MIN) }),
      null,
      ['enqueue'],
    ],
  ] as const)('%s', (_name, observed, m, counterpart, expected) => {
    expect(kinds(planPolledItem(observed, m, now, counterpart))).toEqual(expected);
  });

  it('an adopted case becomes a mapping of its side, pending since its update', () => {
    const [adopt] = planPolledItem(item(), null, now);
    expect(adopt).toMatchObject({
      kind: 'adopt',
      mapping: {
        googleCaseName: 'organizations/1/cases/7',
        companyCaseID: null,
        origin: 'google',
        priority: 1,
        newContentAt: now,
        googlePendingSince: at(5 * MIN),
        companyUpdatesSyncedAt: now,
        googleUpdatesSyncedAt: null,
      },
    });
  });

  it('a mark-pending keeps the rest of the mapping and records the update time', () => {
    const m = mapping({ companyUpdatesSyncedAt: at(1 * MIN) });
    const [mark] = planPolledItem(item({ side: 'company', ref: '10001' }), m, now);
    expect(mark).toEqual({
      kind: 'mark-pending',
      mapping: { ...m, companyPendingSince: at(5 * MIN) },
    });
  });
});
