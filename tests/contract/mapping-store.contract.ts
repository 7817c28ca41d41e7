// One contract for every MappingStore: run against MemoryMappingStore and against
// DatastoreMappingStore (on the Datastore emulator). Keeps the in-memory store honest.
import { ConflictError, SyncError } from '../../src/domain/errors';
import type {
  CaseMapping,
  MirroredItem,
  NewCaseMapping,
  PairFilter,
  TaskRun,
} from '../../src/domain/mapping';
import type { MappingStore } from '../../src/ports/mapping-store';
import { allPages } from './port-contract-helpers';

export interface StoreUnderTest {
  readonly store: MappingStore;
  readonly cleanup: () => Promise<void>;
}

export interface MakeStoreOptions {
  /** Page size of listOpen / listResolvedBefore (stores default to 500). */
  readonly pageSize?: number;
}

export type MakeStore = (opts?: MakeStoreOptions) => Promise<StoreUnderTest>;

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const sec = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

let counter = 0;
/** Unique identities per call, so tests never collide even on a shared backend. */
export function newMapping(overrides: Partial<NewCaseMapping> = {}): NewCaseMapping {
  counter += 1;
  const n = `${Date.now()}${counter}`;
  return {
    googleCaseName: `organizations/1/cases/${n}`,
    companyCaseID: `1${n}`,
    companyCaseKey: `SUP-${n}`,
    newContentAt: at(0),
    resolvedAt: null,
    companyUpdatesSyncedAt: at(1),
    googleUpdatesSyncedAt: null,
    outageCommentSentToGoogle: false,
    outageCommentSentToCompany: false,
    priority: 2,
    origin: 'google',
    googlePendingSince: null,
    companyPendingSince: at(2),
    counterpartCreationStartedAt: null,
    outageDetectedAt: null,
    pausedAt: null,
    lastError: null,
    lastErrorAt: null,
    ...overrides,
  };
}

function item(mappingId: string, overrides: Partial<MirroredItem> = {}): MirroredItem {
  return {
    mappingId,
    kind: 'comment',
    sourceSide: 'google',
    sourceId: 'c1',
    targetIds: ['10001'],
    createdAt: at(5),
    ...overrides,
  };
}

function withoutIdAndVersion(m: CaseMapping): NewCaseMapping {
  const { id: _id, version: _version, ...rest } = m;
  return rest;
}

async function collect(
  list: (token?: string) => Promise<{ items: CaseMapping[]; nextPageToken?: string }>,
): Promise<{ ids: string[]; pages: number }> {
  const { items, pages } = await allPages(list);
  return { ids: items.map((m) => m.id), pages };
}

function outcomes<T>(results: PromiseSettledResult<T>[]): {
  won: T[];
  conflicts: number;
  other: unknown[];
} {
  const won: T[] = [];
  const other: unknown[] = [];
  let conflicts = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') won.push(r.value);
    else if (r.reason instanceof ConflictError) conflicts += 1;
    else other.push(r.reason);
  }
  return { won, conflicts, other };
}

export function mappingStoreContract(name: string, makeStore: MakeStore): void {
  describe(`MappingStore contract: ${name}`, () => {
    let store: MappingStore;
    let cleanup: () => Promise<void> = async () => undefined;

    beforeEach(async () => {
      const made = await makeStore();
      store = made.store;
      cleanup = made.cleanup;
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('Global', () => {
      it('starts empty at version 0', async () => {
        expect(await store.getGlobal()).toEqual({
          google_last_polled_at: null,
          company_last_polled_at: null,
          version: 0,
        });
      });

      it('saves when the expected version matches and bumps it', async () => {
        const saved = await store.saveGlobal(
          { google_last_polled_at: at(1), company_last_polled_at: null },
          0,
        );
        expect(saved).toEqual({
          google_last_polled_at: at(1),
          company_last_polled_at: null,
          version: 1,
        });
        const again = await store.saveGlobal(
          { google_last_polled_at: at(1), company_last_polled_at: at(2) },
          saved.version,
        );
        expect(again.version).toBe(2);
        expect(await store.getGlobal()).toEqual({
          google_last_polled_at: at(1),
          company_last_polled_at: at(2),
          version: 2,
        });
      });

      it('refuses a stale version with ConflictError and keeps the stored value', async () => {
        await store.saveGlobal({ google_last_polled_at: at(1), company_last_polled_at: null }, 0);
        await expect(
          store.saveGlobal({ google_last_polled_at: at(9), company_last_polled_at: at(9) }, 0),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getGlobal()).toEqual({
          google_last_polled_at: at(1),
          company_last_polled_at: null,
          version: 1,
        });
      });

      it('lets exactly one of concurrent saves with the same version win', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 5 }, (_, i) =>
            store.saveGlobal({ google_last_polled_at: at(i), company_last_polled_at: null }, 0),
          ),
        );
        const { won, conflicts, other } = outcomes(results);
        expect(other).toEqual([]);
        expect(won).toHaveLength(1);
        expect(conflicts).toBe(4);
        expect(await store.getGlobal()).toEqual(won[0]);
      });
    });

    describe('insert and lookups', () => {
      it('inserts with a string id and version 1, readable by id and by either case', async () => {
        const input = newMapping();
        const m = await store.insert(input);
        expect(typeof m.id).toBe('string');
        expect(m.id.length).toBeGreaterThan(0);
        expect(m.version).toBe(1);
        expect(withoutIdAndVersion(m)).toEqual(input);
        expect(await store.get(m.id)).toEqual(m);
        expect(await store.findByGoogleCase(input.googleCaseName ?? '')).toEqual(m);
        expect(await store.findByCompanyCase(input.companyCaseID ?? '')).toEqual(m);
      });

      it('round-trips every field, dates to the millisecond', async () => {
        const input = newMapping({
          newContentAt: new Date('2026-01-02T03:04:05.678Z'),
          resolvedAt: new Date('2026-01-03T00:00:00.001Z'),
          companyUpdatesSyncedAt: null,
          googleUpdatesSyncedAt: new Date('2026-01-02T03:04:05.999Z'),
          outageCommentSentToGoogle: true,
          outageCommentSentToCompany: true,
          priority: 0,
          origin: 'company',
          googlePendingSince: new Date('2026-01-02T00:00:00.000Z'),
          companyPendingSince: null,
          counterpartCreationStartedAt: new Date('2026-01-02T01:00:00.000Z'),
          outageDetectedAt: new Date('2026-01-02T02:00:00.500Z'),
          companyCaseKey: null,
        });
        const m = await store.insert(input);
        const read = await store.get(m.id);
        expect(read).not.toBeNull();
        expect(withoutIdAndVersion(read as CaseMapping)).toEqual(input);
        expect(read?.newContentAt).toBeInstanceOf(Date);
      });

      it('answers null for unknown ids and cases', async () => {
        expect(await store.get('no-such-mapping')).toBeNull();
        expect(await store.findByGoogleCase('organizations/1/cases/does-not-exist')).toBeNull();
        expect(await store.findByCompanyCase('does-not-exist')).toBeNull();
      });

      it('gives distinct ids and allows many mappings without a counterpart yet', async () => {
        const a = await store.insert(newMapping({ companyCaseID: null, companyCaseKey: null }));
        const b = await store.insert(newMapping({ companyCaseID: null, companyCaseKey: null }));
        const c = await store.insert(newMapping({ googleCaseName: null, origin: 'company' }));
        const d = await store.insert(newMapping({ googleCaseName: null, origin: 'company' }));
        expect(new Set([a.id, b.id, c.id, d.id]).size).toBe(4);
      });

      it('refuses a second mapping for the same Google case', async () => {
        const first = await store.insert(newMapping());
        await expect(
          store.insert(newMapping({ googleCaseName: first.googleCaseName })),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(await store.findByGoogleCase(first.googleCaseName ?? '')).toEqual(first);
      });

      it('refuses a second mapping for the same company case', async () => {
        const first = await store.insert(newMapping());
        const dup = newMapping({ companyCaseID: first.companyCaseID });
        await expect(store.insert(dup)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.findByCompanyCase(first.companyCaseID ?? '')).toEqual(first);
        // The refused insert left nothing behind: its Google case is still free.
        expect(await store.findByGoogleCase(dup.googleCaseName ?? '')).toBeNull();
        await expect(
          store.insert(newMapping({ googleCaseName: dup.googleCaseName })),
        ).resolves.toBeDefined();
      });

      it('lets exactly one of two concurrent inserts for the same case win', async () => {
        const caseName = newMapping().googleCaseName;
        const results = await Promise.allSettled([
          store.insert(newMapping({ googleCaseName: caseName })),
          store.insert(newMapping({ googleCaseName: caseName })),
        ]);
        const { won, conflicts, other } = outcomes(results);
        expect(other).toEqual([]);
        expect(won).toHaveLength(1);
        expect(conflicts).toBe(1);
        expect(await store.findByGoogleCase(caseName ?? '')).toEqual(won[0]);
      });

      it('refuses invalid input as a permanent error', async () => {
        const bad = { ...newMapping(), priority: 7 } as unknown as NewCaseMapping;
        await expect(store.insert(bad)).rejects.toMatchObject({ kind: 'permanent' });
      });
    });

    describe('update', () => {
      it('saves when the version matches, bumps it, and returns the stored mapping', async () => {
        const m = await store.insert(newMapping());
        const changed: CaseMapping = {
          ...m,
          priority: 1,
          resolvedAt: at(30),
          googlePendingSince: at(3),
        };
        const saved = await store.update(changed);
        expect(saved).toEqual({ ...changed, version: m.version + 1 });
        expect(await store.get(m.id)).toEqual(saved);
        const again = await store.update({ ...saved, priority: 0 });
        expect(again.version).toBe(m.version + 2);
      });

      it('refuses a stale version with ConflictError and keeps the stored mapping', async () => {
        const m = await store.insert(newMapping());
        const saved = await store.update({ ...m, priority: 1 });
        await expect(store.update({ ...m, priority: 4 })).rejects.toBeInstanceOf(ConflictError);
        expect(await store.get(m.id)).toEqual(saved);
      });

      it('refuses to update a mapping that does not exist (or was deleted)', async () => {
        const m = await store.insert(newMapping());
        await store.delete(m.id);
        await expect(store.update(m)).rejects.toBeInstanceOf(ConflictError);
        expect(await store.get(m.id)).toBeNull();
      });

      it('lets exactly one of 20 concurrent updates with the same version win', async () => {
        const m = await store.insert(newMapping());
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.update({ ...m, companyCaseKey: `SUP-${i}` })),
        );
        const { won, conflicts, other } = outcomes(results);
        expect(other).toEqual([]);
        expect(won).toHaveLength(1);
        expect(conflicts).toBe(19);
        expect(await store.get(m.id)).toEqual(won[0]);
        expect(won[0]?.version).toBe(m.version + 1);
      });

      it('indexes a newly set counterpart and frees a changed one', async () => {
        const m = await store.insert(newMapping({ companyCaseID: null, companyCaseKey: null }));
        const ticket = newMapping().companyCaseID;
        const linked = await store.update({ ...m, companyCaseID: ticket, companyCaseKey: 'SUP-1' });
        expect(await store.findByCompanyCase(ticket ?? '')).toEqual(linked);

        const oldCase = linked.googleCaseName;
        const newCase = newMapping().googleCaseName;
        const moved = await store.update({ ...linked, googleCaseName: newCase });
        expect(await store.findByGoogleCase(newCase ?? '')).toEqual(moved);
        expect(await store.findByGoogleCase(oldCase ?? '')).toBeNull();
        // The old case is free for another mapping now.
        await expect(store.insert(newMapping({ googleCaseName: oldCase }))).resolves.toBeDefined();
      });

      it('refuses to take a case already held by another mapping, changing nothing', async () => {
        const a = await store.insert(newMapping());
        const b = await store.insert(newMapping({ companyCaseID: null, companyCaseKey: null }));
        await expect(
          store.update({ ...b, companyCaseID: a.companyCaseID, priority: 0 }),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(
          store.update({ ...b, googleCaseName: a.googleCaseName }),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(await store.get(b.id)).toEqual(b);
        expect(await store.findByCompanyCase(a.companyCaseID ?? '')).toEqual(a);
        expect(await store.findByGoogleCase(a.googleCaseName ?? '')).toEqual(a);
        expect(await store.findByGoogleCase(b.googleCaseName ?? '')).toEqual(b);
      });
    });

    describe('isolation of stored state', () => {
      it('is not affected by callers mutating what they passed or received', async () => {
        const input = newMapping();
        const mutableInput = { ...input, newContentAt: new Date(input.newContentAt.getTime()) };
        const m = await store.insert(mutableInput);
        mutableInput.newContentAt.setTime(0);
        m.newContentAt.setTime(1);
        const read = await store.get(m.id);
        expect(read?.newContentAt).toEqual(input.newContentAt);
        read?.newContentAt.setTime(2);
        expect((await store.get(m.id))?.newContentAt).toEqual(input.newContentAt);

        const g = await store.saveGlobal(
          { google_last_polled_at: at(1), company_last_polled_at: null },
          0,
        );
        g.google_last_polled_at?.setTime(0);
        expect((await store.getGlobal()).google_last_polled_at).toEqual(at(1));

        const targetIds = ['a'];
        await store.recordMirroredItem(item(m.id, { targetIds }));
        targetIds.push('b');
        const [listed] = await store.listMirroredItems(m.id);
        (listed?.targetIds as string[]).push('c');
        listed?.createdAt.setTime(0);
        expect(await store.listMirroredItems(m.id)).toEqual([item(m.id, { targetIds: ['a'] })]);
      });
    });

    describe('listOpen and listResolvedBefore', () => {
      it('pages through every open mapping exactly once', async () => {
        const paged = await makeStore({ pageSize: 3 });
        try {
          const s = paged.store;
          const open: string[] = [];
          for (let i = 0; i < 8; i += 1) open.push((await s.insert(newMapping())).id);
          await s.insert(newMapping({ resolvedAt: at(10) }));
          const { ids, pages } = await collect((token) => s.listOpen(token));
          expect(ids).toHaveLength(open.length);
          expect(new Set(ids)).toEqual(new Set(open));
          expect(pages).toBeGreaterThanOrEqual(3);
        } finally {
          await paged.cleanup();
        }
      });

      it('answers one empty page when nothing is open', async () => {
        await store.insert(newMapping({ resolvedAt: at(1) }));
        expect(await store.listOpen()).toEqual({ items: [] });
      });

      it('reflects resolution and reopening', async () => {
        const m = await store.insert(newMapping());
        const resolved = await store.update({ ...m, resolvedAt: at(5) });
        expect((await collect((t) => store.listOpen(t))).ids).toEqual([]);
        await store.update({ ...resolved, resolvedAt: null });
        expect((await collect((t) => store.listOpen(t))).ids).toEqual([m.id]);
      });

      it('pages through mappings resolved strictly before a date', async () => {
        const paged = await makeStore({ pageSize: 2 });
        try {
          const s = paged.store;
          const old: string[] = [];
          for (let i = 0; i < 5; i += 1)
            old.push((await s.insert(newMapping({ resolvedAt: at(-100 + i) }))).id);
          await s.insert(newMapping({ resolvedAt: at(0) })); // exactly at the bound: kept
          await s.insert(newMapping({ resolvedAt: at(50) }));
          await s.insert(newMapping());
          const { ids } = await collect((token) => s.listResolvedBefore(at(0), token));
          expect(ids).toHaveLength(old.length);
          expect(new Set(ids)).toEqual(new Set(old));
          const page = await s.listResolvedBefore(at(0));
          expect(page.items.every((m) => m.resolvedAt !== null && m.resolvedAt < at(0))).toBe(true);
        } finally {
          await paged.cleanup();
        }
      });

      it('does not page through open mappings when listing resolved ones', async () => {
        const paged = await makeStore({ pageSize: 2 });
        try {
          const s = paged.store;
          for (let i = 0; i < 5; i += 1) await s.insert(newMapping());
          const resolved = await s.insert(newMapping({ resolvedAt: at(-10) }));
          expect(await s.listResolvedBefore(at(0))).toEqual({ items: [resolved] });
        } finally {
          await paged.cleanup();
        }
      });

      it('refuses a page token it did not issue as a permanent error', async () => {
        await expect(store.listOpen('not-a-token')).rejects.toMatchObject({ kind: 'permanent' });
      });
    });

    describe('status page: listPairs, pause and last error, task runs', () => {
      const ids = (page: { items: CaseMapping[] }): string[] => page.items.map((m) => m.id);
      const everyPage = async (filter: PairFilter, pageSize: number) =>
        collect((pageToken) => store.listPairs(filter, { pageSize, pageToken }));

      it('round-trips pausedAt, lastError and lastErrorAt', async () => {
        const m = await store.insert(newMapping());
        expect(m).toMatchObject({ pausedAt: null, lastError: null, lastErrorAt: null });
        const saved = await store.update({
          ...m,
          pausedAt: at(7),
          lastError: 'SyncError/retry',
          lastErrorAt: sec(30),
        });
        expect(await store.get(m.id)).toEqual(saved);
        expect(saved).toMatchObject({
          pausedAt: at(7),
          lastError: 'SyncError/retry',
          lastErrorAt: sec(30),
        });
      });

      it('lists open, failing, in-outage and recently closed pairs, each in cursor pages', async () => {
        const open = await store.insert(newMapping());
        const failing = await store.insert(
          newMapping({ lastError: 'NotFoundError/permanent', lastErrorAt: at(3) }),
        );
        const outage = await store.insert(newMapping({ outageDetectedAt: at(4) }));
        const closedRecently = await store.insert(newMapping({ resolvedAt: at(60) }));
        const closedLongAgo = await store.insert(newMapping({ resolvedAt: at(-60) }));
        const resolvedFailing = await store.insert(
          newMapping({ resolvedAt: at(61), lastError: 'SyncError/retry', lastErrorAt: at(5) }),
        );
        const sorted = (xs: CaseMapping[]) => xs.map((m) => m.id).sort();

        const openPages = await everyPage({ kind: 'open' }, 2);
        expect(openPages.ids.sort()).toEqual(sorted([open, failing, outage]));
        expect(openPages.pages).toBe(2);
        expect((await everyPage({ kind: 'failing' }, 1)).ids).toEqual([failing.id]);
        expect((await everyPage({ kind: 'outage' }, 100)).ids).toEqual([outage.id]);
        expect((await everyPage({ kind: 'closed', since: at(0) }, 1)).ids.sort()).toEqual(
          sorted([closedRecently, resolvedFailing]),
        );
        expect(closedLongAgo.resolvedAt).toEqual(at(-60));
      });

      it('caps a page at 100 pairs and pages in a stable order', async () => {
        await Promise.all(Array.from({ length: 103 }, () => store.insert(newMapping())));
        const first = await store.listPairs({ kind: 'open' }, { pageSize: 500 });
        expect(first.items).toHaveLength(100);
        expect(first.nextPageToken).toBeDefined();
        const second = await store.listPairs(
          { kind: 'open' },
          { pageSize: 500, pageToken: first.nextPageToken },
        );
        expect(second.items).toHaveLength(3);
        expect(second.nextPageToken).toBeUndefined();
        expect(new Set([...ids(first), ...ids(second)]).size).toBe(103);
        const again = await store.listPairs({ kind: 'open' }, { pageSize: 100 });
        expect(ids(again)).toEqual(ids(first));
      });

      it('keeps the newest task runs, newest first', async () => {
        expect(await store.listTaskRuns(10)).toEqual([]);
        const run = (i: number): TaskRun => ({
          task: i % 2 === 0 ? 'poll-google' : 'sync-google-case',
          at: sec(i),
          outcome: i % 3 === 0 ? 'failed' : 'done',
          ref: i % 2 === 0 ? null : `organizations/1/cases/${i}`,
          reason: i % 3 === 0 ? 'SyncError/retry' : null,
          counts: { changed: i, mirrored: 0 },
        });
        for (let i = 0; i < 230; i += 1) await store.recordTaskRun(run(i));
        const newest = await store.listTaskRuns(500);
        expect(newest).toHaveLength(200);
        expect(newest[0]).toEqual(run(229));
        expect(newest[199]).toEqual(run(30));
        expect(await store.listTaskRuns(3)).toEqual([run(229), run(228), run(227)]);
      });
    });

    describe('mirrored items', () => {
      it('records idempotently per (mapping, kind, side, source id): the first record wins', async () => {
        const m = await store.insert(newMapping());
        const first = item(m.id, { targetIds: ['10001', '10002'] });
        await store.recordMirroredItem(first);
        await store.recordMirroredItem(first);
        await store.recordMirroredItem({ ...first, targetIds: ['99999'], createdAt: at(9) });
        expect(await store.listMirroredItems(m.id)).toEqual([first]);
      });

      it('keeps items apart by kind, side and source id, oldest first', async () => {
        const m = await store.insert(newMapping());
        const other = await store.insert(newMapping());
        const items = [
          item(m.id, { sourceId: 'c1', createdAt: at(3) }),
          item(m.id, { sourceId: 'c1', sourceSide: 'company', createdAt: at(1) }),
          item(m.id, { sourceId: 'c1', kind: 'attachment', createdAt: at(2) }),
          item(m.id, {
            sourceId: 'outage:2026-03-01T10:00:00Z',
            kind: 'notice',
            targetIds: [],
            createdAt: at(4),
          }),
        ];
        for (const i of items) await store.recordMirroredItem(i);
        await store.recordMirroredItem(item(other.id, { sourceId: 'c1' }));
        const listed = await store.listMirroredItems(m.id);
        expect(listed).toEqual([items[1], items[2], items[0], items[3]]);
        expect(await store.listMirroredItems(other.id)).toEqual([
          item(other.id, { sourceId: 'c1' }),
        ]);
        expect(await store.listMirroredItems('no-such-mapping')).toEqual([]);
      });

      it('keeps dry-run records (DRY_RUN) apart from mirrored items of the same source id', async () => {
        const m = await store.insert(newMapping());
        const mirrored = item(m.id, { sourceId: 'c1', createdAt: at(1) });
        const said = item(m.id, {
          kind: 'dry-run',
          sourceSide: 'company',
          sourceId: 'mirror-comment:c1',
          targetIds: [],
          createdAt: at(2),
        });
        await store.recordMirroredItem(said);
        await store.recordMirroredItem({ ...said, createdAt: at(3) });
        await store.recordMirroredItem(mirrored);
        expect(await store.listMirroredItems(m.id)).toEqual([mirrored, said]);
        await store.delete(m.id);
        expect(await store.listMirroredItems(m.id)).toEqual([]);
      });

      it('records concurrently without losing or duplicating items', async () => {
        const m = await store.insert(newMapping());
        const items = Array.from({ length: 30 }, (_, i) =>
          item(m.id, { sourceId: `c${i}`, createdAt: at(i) }),
        );
        await Promise.all([...items, ...items].map((i) => store.recordMirroredItem(i)));
        expect(await store.listMirroredItems(m.id)).toEqual(items);
      });

      it('accepts long source ids', async () => {
        const m = await store.insert(newMapping());
        const long = item(m.id, { sourceId: 'x'.repeat(5000) });
        await store.recordMirroredItem(long);
        await store.recordMirroredItem(long);
        expect(await store.listMirroredItems(m.id)).toEqual([long]);
      });
    });

    describe('delete', () => {
      it('deletes the mapping, frees both cases and drops its mirrored items', async () => {
        const m = await store.insert(newMapping());
        const kept = await store.insert(newMapping());
        for (let i = 0; i < 5; i += 1)
          await store.recordMirroredItem(item(m.id, { sourceId: `c${i}` }));
        await store.recordMirroredItem(item(kept.id));
        await store.delete(m.id);
        expect(await store.get(m.id)).toBeNull();
        expect(await store.findByGoogleCase(m.googleCaseName ?? '')).toBeNull();
        expect(await store.findByCompanyCase(m.companyCaseID ?? '')).toBeNull();
        expect(await store.listMirroredItems(m.id)).toEqual([]);
        expect(await store.listMirroredItems(kept.id)).toEqual([item(kept.id)]);
        expect(await store.get(kept.id)).toEqual(kept);
        const again = await store.insert(
          newMapping({ googleCaseName: m.googleCaseName, companyCaseID: m.companyCaseID }),
        );
        expect(again.id).not.toBe(m.id);
      });

      it('drops leases keyed by the mapping id or its cases', async () => {
        const m = await store.insert(newMapping());
        expect(await store.acquireLease(m.googleCaseName ?? '', 'w1', at(0), 60_000)).toBe(true);
        expect(await store.acquireLease(m.id, 'w1', at(0), 60_000)).toBe(true);
        await store.delete(m.id);
        expect(await store.acquireLease(m.googleCaseName ?? '', 'w2', at(1), 60_000)).toBe(true);
        expect(await store.acquireLease(m.id, 'w2', at(1), 60_000)).toBe(true);
      });

      it('is a no-op for an unknown id', async () => {
        await expect(store.delete('no-such-mapping')).resolves.toBeUndefined();
      });
    });

    describe('leases', () => {
      const key = (): string => `case:${newMapping().googleCaseName}`;

      it('is taken when free, refused to others while valid, extended by its holder', async () => {
        const k = key();
        expect(await store.acquireLease(k, 'w1', sec(0), 60_000)).toBe(true);
        expect(await store.acquireLease(k, 'w2', sec(30), 60_000)).toBe(false);
        expect(await store.acquireLease(k, 'w1', sec(54), 60_000)).toBe(true); // now until sec(114)
        expect(await store.acquireLease(k, 'w2', sec(90), 60_000)).toBe(false);
        expect(await store.acquireLease(k, 'w2', sec(114), 60_000)).toBe(true); // expired exactly now
        expect(await store.acquireLease(k, 'w1', sec(120), 60_000)).toBe(false);
      });

      it('is freed by its holder only', async () => {
        const k = key();
        expect(await store.acquireLease(k, 'w1', at(0), 60_000)).toBe(true);
        await store.releaseLease(k, 'w2');
        expect(await store.acquireLease(k, 'w2', at(0), 60_000)).toBe(false);
        await store.releaseLease(k, 'w1');
        expect(await store.acquireLease(k, 'w2', at(0), 60_000)).toBe(true);
        await expect(store.releaseLease(key(), 'nobody')).resolves.toBeUndefined();
      });

      it('keeps leases with different keys apart', async () => {
        const a = key();
        const b = key();
        expect(await store.acquireLease(a, 'w1', at(0), 60_000)).toBe(true);
        expect(await store.acquireLease(b, 'w2', at(0), 60_000)).toBe(true);
      });

      it('gives a lease to exactly one of 20 concurrent takers', async () => {
        const k = key();
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.acquireLease(k, `w${i}`, at(0), 60_000)),
        );
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        const granted = results.filter((r) => r.status === 'fulfilled' && r.value);
        expect(granted).toHaveLength(1);
      });
    });

    describe('entity size limits', () => {
      it('refuses a mirrored item that would exceed the entity size limit', async () => {
        const m = await store.insert(newMapping());
        const huge = item(m.id, {
          targetIds: Array.from({ length: 1000 }, (_, i) => `${i}`.padEnd(1000, 'x')),
        });
        const err: unknown = await store.recordMirroredItem(huge).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(SyncError);
        expect(err).toMatchObject({ kind: 'permanent' });
        expect(String((err as Error).message)).not.toContain('xxxx');
        expect(await store.listMirroredItems(m.id)).toEqual([]);
      });

      it('accepts a mirrored item with many parts below the limit', async () => {
        const m = await store.insert(newMapping());
        const big = item(m.id, {
          targetIds: Array.from({ length: 500 }, (_, i) => `part-${i}`.padEnd(1000, 'y')),
        });
        await store.recordMirroredItem(big);
        expect(await store.listMirroredItems(m.id)).toEqual([big]);
      });

      it('refuses a case identity too long to index', async () => {
        await expect(
          store.insert(newMapping({ googleCaseName: 'organizations/1/cases/'.padEnd(2000, '9') })),
        ).rejects.toMatchObject({
          kind: 'permanent',
        });
      });
    });
  });
}
