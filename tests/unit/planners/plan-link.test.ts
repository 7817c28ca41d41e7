// The pair-level decisions of a sync: scope, which side is missing, create or link,
// the link notice, and what the mapping records afterwards. One row per case.
import {
  caseInScope,
  caseSearchSince,
  existingLinkNotice,
  needsLinkNotice,
  NOW_SYNCING,
  planCaseCreation,
  planPairState,
  planSyncedMapping,
  planTicketCreation,
  SEARCH_LAG_MS,
} from '../../../src/domain/plan-link';
import { at, comment, mapping, MIN, record, supportCase, T0, ticket } from './builders';

const scope = { supportParent: 'organizations/1', supportCaseParent: 'projects/p' };

describe('caseInScope', () => {
  it.each([
    ['organizations/1/cases/7', true],
    ['projects/p/cases/8', true],
    ['organizations/2/cases/7', false],
    ['organizations/1/cases/7/comments/1', false],
    ['organizations/10/cases/7', false],
  ])('%s → %s', (name, expected) => {
    expect(caseInScope(name, scope)).toBe(expected);
  });
});

describe('planPairState', () => {
  it.each([
    ['both exist', supportCase(), ticket(), 'linked'],
    ['the case exists, no ticket yet', supportCase(), undefined, 'create-ticket'],
    ['the ticket exists, no case yet', undefined, ticket(), 'create-case'],
    ['the named case is gone', null, ticket(), 'drop'],
    ['the named ticket is gone', supportCase(), null, 'resolve'],
    ['nothing named', undefined, undefined, 'drop'],
  ] as const)('%s → %s', (_n, gcase, t, kind) => {
    expect(planPairState(gcase, t).kind).toBe(kind);
  });
});

describe('planTicketCreation', () => {
  const found = ticket({ googleCaseName: 'organizations/1/cases/7' });
  it.each([
    ['a ticket holding the case exists: link it', found, null, 0, 'use'],
    ['none, never tried: create', null, null, 0, 'create'],
    ['none, an attempt started 10 s ago: wait for search', null, at(0), 10_000, 'wait-for-search'],
    ['none, an attempt started past the search lag: create', null, at(0), SEARCH_LAG_MS, 'create'],
    ['found even right after an attempt: link it', found, at(0), 1_000, 'use'],
  ] as const)('%s', (_n, f, startedAt, afterMs, kind) => {
    expect(planTicketCreation(f, startedAt, at(afterMs)).kind).toBe(kind);
  });
});

describe('planCaseCreation', () => {
  it.each([
    ['a case exists: link it', supportCase(), 'cls', 'use'],
    ['none: create with the classification', null, 'cls', 'create'],
    ['none and no classification configured: drop', null, null, 'drop'],
    ['a case exists and no classification: still link it', supportCase(), null, 'use'],
  ] as const)('%s', (_n, f, cls, kind) => {
    expect(planCaseCreation(f, cls).kind).toBe(kind);
  });

  it('looks for an earlier attempt only after one started, a search lag before it', () => {
    expect(caseSearchSince(null)).toBeNull();
    expect(caseSearchSince(at(0))).toEqual(at(-SEARCH_LAG_MS));
  });
});

describe('the link notice', () => {
  it.each([
    ['no records: announce', [], true],
    ['recorded: not again', [record({ kind: 'notice', sourceId: NOW_SYNCING })], false],
    ['other notices do not count', [record({ kind: 'notice', sourceId: 'outage:1' })], true],
    [
      'a dry run that said it does not count',
      [
        record({ kind: 'dry-run', sourceId: NOW_SYNCING }),
        record({ kind: 'dry-run', sourceId: 'link-notice:now-syncing' }),
      ],
      true,
    ],
  ] as const)('%s', (_n, records, expected) => {
    expect(needsLinkNotice(records)).toBe(expected);
  });

  it('finds a copy written before a crash, never one by Google support', () => {
    const text = 'This case is now syncing with Company Case: SUP-1';
    const support = comment('1', {
      body: text,
      author: { displayName: 'G', isConnector: false, isGoogleSupport: true },
    });
    const ours = comment('2', { body: `${text}\n` });
    expect(existingLinkNotice([support], text)).toBeNull();
    expect(existingLinkNotice([support, ours], text)).toBe(ours);
  });
});

describe('planSyncedMapping', () => {
  const started = at(10 * MIN);
  const base = {
    ticketKey: 'SUP-1',
    agreedPriority: 2 as const,
    resolvedAt: null,
    mirrored: 0,
    startedAt: started,
  };
  it.each([
    ['unchanged pair, nothing pending: nothing saved', mapping(), base, false, T0, T0],
    [
      'something mirrored: both sides synced up to the start, fresh content',
      mapping(),
      { ...base, mirrored: 2 },
      true,
      started,
      started,
    ],
    [
      'a pending Google change covered: Google synced up to the start',
      mapping({ googlePendingSince: at(5 * MIN) }),
      base,
      true,
      started,
      T0,
    ],
    [
      'a side never synced: synced now',
      mapping({ companyUpdatesSyncedAt: null }),
      base,
      true,
      T0,
      started,
    ],
    [
      'the priority agreed changed: saved',
      mapping(),
      { ...base, agreedPriority: 0 as const },
      true,
      T0,
      T0,
    ],
    ['resolved: saved', mapping(), { ...base, resolvedAt: at(9 * MIN) }, true, T0, T0],
    ['the ticket moved (new key): saved', mapping(), { ...base, ticketKey: 'OPS-4' }, true, T0, T0],
    [
      'the last sync had failed: saved, the failure cleared',
      mapping({ lastError: 'SyncError/retry', lastErrorAt: at(9 * MIN) }),
      base,
      true,
      T0,
      T0,
    ],
  ] as const)('%s', (_n, m, r, save, googleSynced, companySynced) => {
    const after = planSyncedMapping(m, r);
    expect(after.save).toBe(save);
    expect(after.next.googleUpdatesSyncedAt).toEqual(googleSynced);
    expect(after.next.companyUpdatesSyncedAt).toEqual(companySynced);
    expect(after.next.googlePendingSince).toBeNull();
    expect(after.next.companyPendingSince).toBeNull();
    expect(after.next.newContentAt).toEqual(r.mirrored > 0 ? started : m.newContentAt);
    expect(after.next.lastError ?? null).toBeNull();
  });
});
