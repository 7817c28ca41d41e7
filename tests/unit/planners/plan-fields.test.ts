// The reference's rules for priority ("the newest change wins") and closure (either side
// closes both), one row per case.
import { planClosure, planPriority, type SideState } from '../../../src/domain/plan-fields';
import type { Priority } from '../../../src/domain/types';
import { at, MIN } from './builders';

const side = (priority: Priority | null, updatedMin = 0, closed = false): SideState => ({
  priority,
  closed,
  updateTime: at(updatedMin * MIN),
});

describe('planPriority', () => {
  it.each([
    ['nothing changed', 2, side(2), side(2), [], 2],
    [
      'Google changed: Jira follows',
      2,
      side(1),
      side(2),
      [{ kind: 'set-priority', on: 'company', priority: 1 }],
      1,
    ],
    [
      'Jira changed: Google follows',
      2,
      side(2),
      side(0),
      [{ kind: 'set-priority', on: 'google', priority: 0 }],
      0,
    ],
    [
      'both changed, Google last: Google wins',
      2,
      side(1, 5),
      side(3, 4),
      [{ kind: 'set-priority', on: 'company', priority: 1 }],
      1,
    ],
    [
      'both changed, Jira last: Jira wins',
      2,
      side(1, 4),
      side(3, 5),
      [{ kind: 'set-priority', on: 'google', priority: 3 }],
      3,
    ],
    [
      'both changed at the same instant: Google wins',
      2,
      side(1, 5),
      side(3, 5),
      [{ kind: 'set-priority', on: 'company', priority: 1 }],
      1,
    ],
    ['both changed to the same value: nothing to write', 2, side(0, 1), side(0, 2), [], 0],
    ['an unknown Google priority is never a change', 2, side(null), side(2), [], 2],
    [
      'an unknown Google priority is overwritten when Jira changed',
      2,
      side(null),
      side(4),
      [{ kind: 'set-priority', on: 'google', priority: 4 }],
      4,
    ],
    [
      'the loser is closed: nothing written, the change is agreed',
      2,
      side(1),
      side(2, 0, true),
      [],
      1,
    ],
  ] as const)('%s', (_name, agreed, google, company, actions, nextAgreed) => {
    expect(planPriority(agreed, google, company)).toEqual({ actions, agreed: nextAgreed });
  });
});

describe('planClosure', () => {
  const now = at(60 * MIN);
  it.each([
    ['both open', side(2), side(2), [], null],
    [
      'Google closed: close the ticket',
      side(2, 10, true),
      side(2),
      [{ kind: 'close', on: 'company' }],
      at(10 * MIN),
    ],
    [
      'Jira closed: close the case',
      side(2),
      side(2, 20, true),
      [{ kind: 'close', on: 'google' }],
      at(20 * MIN),
    ],
    [
      'both closed: resolved at the later close',
      side(2, 10, true),
      side(2, 20, true),
      [],
      at(20 * MIN),
    ],
    [
      'both closed, a close in the future (clock skew): resolved now',
      side(2, 10, true),
      side(2, 90, true),
      [],
      now,
    ],
  ] as const)('%s', (_name, google, company, actions, resolvedAt) => {
    expect(planClosure(google, company, now)).toEqual({ actions, resolvedAt });
  });
});
