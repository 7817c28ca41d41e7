// The MappingStore contract against DatastoreMappingStore on the Datastore emulator
// (scripts/datastore-emulator.sh start), plus Datastore-specific checks. Each store gets a
// namespace of its own, so tests and parallel runs never see each other's data.
import { Datastore, PropertyFilter, type Key } from '@google-cloud/datastore';
import { DatastoreMappingStore } from '../../src/adapters/datastore/datastore-mapping-store';
import { toStoreError } from '../../src/adapters/datastore/datastore-errors';
import { KIND } from '../../src/adapters/datastore/entity-codec';
import { ConflictError, SyncError } from '../../src/domain/errors';
import type { MirroredItem } from '../../src/domain/mapping';
import { datastoreEmulatorHost } from '../support/emulator-env';
import { mappingStoreContract, newMapping, type StoreUnderTest } from './mapping-store.contract';

const emulator = datastoreEmulatorHost();

describe('Datastore error classification', () => {
  const grpcError = (code: number): Error =>
    Object.assign(new Error('key CaseMapping/x'), { code });

  it.each([
    [14, 'retry'],
    [4, 'retry'],
    [13, 'retry'],
    [8, 'rate-limited'],
    [3, 'permanent'],
    [7, 'permanent'],
    [9, 'permanent'],
    [10, 'conflict'],
  ])('maps gRPC %i to %s without quoting the upstream message', (code, kind) => {
    const err = toStoreError(grpcError(code), 'get');
    expect(err).toBeInstanceOf(SyncError);
    expect(err.kind).toBe(kind);
    expect(err.message).toBe(`datastore get failed (gRPC ${code})`);
    if (kind === 'conflict') expect(err).toBeInstanceOf(ConflictError);
  });

  it('passes our own errors through and treats code-less failures as retryable', () => {
    const own = new ConflictError('mine');
    expect(toStoreError(own, 'get')).toBe(own);
    expect(toStoreError(new Error('socket hang up'), 'query')).toMatchObject({ kind: 'retry' });
  });
});

if (emulator.kind === 'missing') {
  if (emulator.failInCi) {
    describe('DatastoreMappingStore', () => {
      it('needs the Datastore emulator in CI', () => {
        throw new Error(`no Datastore emulator in CI: ${emulator.reason}`);
      });
    });
  } else {
    describe.skip(`DatastoreMappingStore (SKIPPED: ${emulator.reason})`, () => {
      it('runs the MappingStore contract on the Datastore emulator', () => undefined);
    });
  }
} else {
  const host = emulator.host;
  const ds = new Datastore({
    projectId: emulator.projectId,
    apiEndpoint: host,
  });
  let counter = 0;
  const run = `${process.pid}-${Date.now().toString(36)}`;

  async function deleteNamespace(namespace: string): Promise<void> {
    for (const kind of Object.values(KIND)) {
      for (;;) {
        const query = ds.createQuery(namespace, kind).select('__key__').limit(500);
        const [entities] = await ds.runQuery(query);
        const keys = (entities as Record<symbol, unknown>[]).map((e) => e[Datastore.KEY] as Key);
        if (keys.length === 0) break;
        await ds.delete(keys);
      }
    }
  }

  async function makeStore(
    opts: { pageSize?: number } = {},
  ): Promise<StoreUnderTest & { namespace: string }> {
    counter += 1;
    const namespace = `contract-${run}-${counter}`;
    return {
      namespace,
      store: new DatastoreMappingStore({ datastore: ds, namespace, pageSize: opts.pageSize }),
      cleanup: () => deleteNamespace(namespace),
    };
  }

  afterAll(async () => {
    for (const client of ds.clients_.values()) await client.close();
  });

  mappingStoreContract('DatastoreMappingStore', makeStore);

  describe('DatastoreMappingStore on the emulator', () => {
    let made: StoreUnderTest & { namespace: string };
    let store: DatastoreMappingStore;

    beforeEach(async () => {
      made = await makeStore();
      store = made.store as DatastoreMappingStore;
    });
    afterEach(async () => {
      await made.cleanup();
    });

    /** The stored properties of a raw entity (without the SDK's key symbol). */
    function props(entity: unknown): Record<string, unknown> {
      return Object.fromEntries(Object.entries(entity as object));
    }

    function rawKey(...path: string[]): Key {
      return ds.key({ namespace: made.namespace, path });
    }

    it('stores the kinds and property names of SPEC §3.3', async () => {
      const m = await store.insert(newMapping());
      await store.saveGlobal(
        { google_last_polled_at: new Date(1), company_last_polled_at: null },
        0,
      );
      const [mapping] = await ds.get(rawKey(KIND.caseMapping, m.id));
      expect(Object.keys(mapping as object).sort()).toEqual(
        [
          'googleCaseName',
          'companyCaseID',
          'companyCaseKey',
          'newContentAt',
          'resolvedAt',
          'companyUpdatesSyncedAt',
          'googleUpdatesSyncedAt',
          'outageCommentSentToGoogle',
          'outageCommentSentToCompany',
          'priority',
          'origin',
          'googlePendingSince',
          'companyPendingSince',
          'counterpartCreationStartedAt',
          'outageDetectedAt',
          'pausedAt',
          'lastError',
          'lastErrorAt',
          'version',
        ].sort(),
      );
      expect((mapping as { newContentAt: unknown }).newContentAt).toBeInstanceOf(Date);
      const [global] = await ds.get(rawKey(KIND.global, 'global'));
      expect(props(global)).toEqual({
        google_last_polled_at: new Date(1),
        company_last_polled_at: null,
        version: 1,
      });
      const [index] = await ds.get(rawKey(KIND.caseMappingIndex, `google:${m.googleCaseName}`));
      expect(props(index)).toEqual({ mappingId: m.id });
    });

    it('indexes only the queried properties', async () => {
      const m = await store.insert(newMapping({ priority: 3 }));
      const count = async (property: string, value: unknown): Promise<number> => {
        const q = ds
          .createQuery(made.namespace, KIND.caseMapping)
          .filter(new PropertyFilter(property, '=', value));
        const [entities] = await ds.runQuery(q);
        return entities.length;
      };
      expect(await count('googleCaseName', m.googleCaseName)).toBe(1);
      expect(await count('companyCaseID', m.companyCaseID)).toBe(1);
      expect(await count('resolvedAt', null)).toBe(1);
      expect(await count('priority', 3)).toBe(0);
      expect(await count('companyCaseKey', m.companyCaseKey)).toBe(0);
    });

    it('stores mirrored items under their mapping with an idempotent key', async () => {
      const m = await store.insert(newMapping());
      const item: MirroredItem = {
        mappingId: m.id,
        kind: 'attachment',
        sourceSide: 'company',
        sourceId: '10077',
        targetIds: ['a', 'b'],
        createdAt: new Date('2026-03-01T10:00:00Z'),
      };
      await store.recordMirroredItem(item);
      await store.recordMirroredItem(item);
      const [raw] = await ds.get(
        rawKey(KIND.caseMapping, m.id, KIND.mirroredItem, 'attachment:company:10077'),
      );
      expect(props(raw)).toEqual({ ...item });
    });

    it('deletes a mapping with 1,200 mirrored items, all of them', async () => {
      const m = await store.insert(newMapping());
      const kept = await store.insert(newMapping());
      const mappingKey = rawKey(KIND.caseMapping, m.id);
      const createdAt = new Date('2026-03-01T10:00:00Z');
      for (let start = 0; start < 1200; start += 400) {
        const batch = Array.from({ length: 400 }, (_, i) => ({
          key: ds.key({
            namespace: made.namespace,
            path: [KIND.caseMapping, m.id, KIND.mirroredItem, `comment:google:c${start + i}`],
          }),
          data: {
            mappingId: m.id,
            kind: 'comment',
            sourceSide: 'google',
            sourceId: `c${start + i}`,
            targetIds: [`t${start + i}`],
            createdAt,
          },
        }));
        await ds.save(batch);
      }
      await store.recordMirroredItem({
        mappingId: kept.id,
        kind: 'comment',
        sourceSide: 'google',
        sourceId: 'c0',
        targetIds: ['t0'],
        createdAt,
      });
      expect(await store.listMirroredItems(m.id)).toHaveLength(1200);

      await store.delete(m.id);

      const [left] = await ds.runQuery(
        ds.createQuery(made.namespace, KIND.mirroredItem).hasAncestor(mappingKey).select('__key__'),
      );
      expect(left).toHaveLength(0);
      expect(await store.get(m.id)).toBeNull();
      expect(await store.listMirroredItems(kept.id)).toHaveLength(1);
      expect(await store.get(kept.id)).toEqual(kept);
    });

    it('pages listOpen by 500 by default', async () => {
      const ids = new Set<string>();
      const items = Array.from({ length: 501 }, (_, i) => {
        const m = { ...newMapping(), version: 1 };
        const id = `bulk-${i.toString().padStart(4, '0')}`;
        ids.add(id);
        return { id, m };
      });
      // Written directly (fast), in the store's own format, to test paging only.
      for (let start = 0; start < items.length; start += 250) {
        await ds.save(
          items.slice(start, start + 250).map(({ id, m }) => ({
            key: rawKey(KIND.caseMapping, id),
            data: { ...m },
          })),
        );
      }
      const first = await store.listOpen();
      expect(first.items).toHaveLength(500);
      expect(first.nextPageToken).toBeDefined();
      const second = await store.listOpen(first.nextPageToken);
      const seen = [...first.items, ...second.items].map((m) => m.id);
      if (second.nextPageToken !== undefined) {
        seen.push(...(await store.listOpen(second.nextPageToken)).items.map((m) => m.id));
      }
      expect(seen).toHaveLength(501);
      expect(new Set(seen)).toEqual(ids);
    });

    it('refuses a page token of the other query', async () => {
      const paged = await makeStore({ pageSize: 1 });
      try {
        await paged.store.insert(newMapping());
        await paged.store.insert(newMapping());
        const page = await paged.store.listOpen();
        expect(page.nextPageToken).toBeDefined();
        await expect(
          paged.store.listResolvedBefore(new Date(), page.nextPageToken),
        ).rejects.toMatchObject({ kind: 'permanent' });
      } finally {
        await paged.cleanup();
      }
    });

    it('surfaces lasting contention as ConflictError, never as a lost write', async () => {
      const impatient = new DatastoreMappingStore({
        datastore: ds,
        namespace: made.namespace,
        transactionAttempts: 1,
      });
      const m = await impatient.insert(newMapping());
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => impatient.update({ ...m, companyCaseKey: `K-${i}` })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const r of lost)
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      expect((await impatient.get(m.id))?.version).toBe(2);
    });

    it('refuses an entity over the size bound before writing it', async () => {
      const m = await store.insert(newMapping());
      const huge: MirroredItem = {
        mappingId: m.id,
        kind: 'comment',
        sourceSide: 'google',
        sourceId: 'big',
        targetIds: Array.from({ length: 950 }, (_, i) => `${i}`.padEnd(1000, 'z')),
        createdAt: new Date(),
      };
      await expect(store.recordMirroredItem(huge)).rejects.toBeInstanceOf(SyncError);
      await expect(store.recordMirroredItem(huge)).rejects.toMatchObject({ kind: 'permanent' });
      const [raw] = await ds.get(
        rawKey(KIND.caseMapping, m.id, KIND.mirroredItem, 'comment:google:big'),
      );
      expect(raw).toBeUndefined();
    });
  });
}
