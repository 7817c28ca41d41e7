// MappingStore on Firestore in Datastore mode (SPEC §3.3). Kinds: CaseMapping, Global,
// MirroredItem (child of its CaseMapping), CaseMappingIndex (uniqueness of a case across
// mappings, written in the same transaction as the mapping) and Lease. Queries use
// single-property filters only, so no composite index is needed.
// Talking to Datastore (classified calls, contention retries, transactions) is in
// datastore-transaction.ts; the entity encoding in entity-codec.ts.
import { randomUUID } from 'node:crypto';
import { Datastore, type Key, type Transaction } from '@google-cloud/datastore';
import { ConflictError, SyncError } from '../../domain/errors';
import type {
  CaseMapping,
  Global,
  MirroredItem,
  NewCaseMapping,
  PairFilter,
  TaskRun,
} from '../../domain/mapping';
import type { Side } from '../../domain/types';
import type { MappingStore } from '../../ports/mapping-store';
import { GRPC, grpcCode, isAborted, toStoreError } from './datastore-errors';
import { classified, EndWithout, retryAborted, runTransaction } from './datastore-transaction';
import { MappingQueries, type Page } from './datastore-queries';
import { DatastoreTaskRuns } from './datastore-task-runs';
import {
  GLOBAL_KEY_NAME,
  KIND,
  MAX_BATCH,
  assertEntityFits,
  caseMappingKeyPath,
  caseMappingProperties,
  compareMirroredItems,
  copyCaseMapping,
  copyGlobal,
  excludeFromIndexes,
  globalProperties,
  indexKeyName,
  isValidMappingId,
  leaseKeyName,
  leaseKeysOf,
  mirroredItemKeyName,
  mirroredItemKeyPath,
  mirroredItemProperties,
  toCaseMapping,
  toGlobal,
  toIndexTarget,
  toLease,
  toMirroredItem,
  type Properties,
} from './entity-codec';

export interface DatastoreMappingStoreOptions {
  /** Injected client (tests, or a client built by server.ts). Otherwise one is created. */
  readonly datastore?: Datastore;
  /** Used when the store creates its own client. */
  readonly projectId?: string;
  /** Used when the store creates its own client, e.g. the emulator's `host:port`. */
  readonly apiEndpoint?: string;
  /** Datastore namespace of every key and query (tests use one per run). */
  readonly namespace?: string;
  /** Page size of listOpen / listResolvedBefore (default and maximum 500). */
  readonly pageSize?: number;
  /** Attempts of a transaction that Datastore aborts for contention (default 6). */
  readonly transactionAttempts?: number;
  /** recordTaskRun trims the kind to TASK_RUNS_KEPT once every this many writes (default 20). */
  readonly taskRunTrimEvery?: number;
}

type Kind = (typeof KIND)[keyof typeof KIND];

export class DatastoreMappingStore implements MappingStore {
  private readonly ds: Datastore;
  private readonly namespace: string | undefined;
  private readonly attempts: number;
  private readonly queries: MappingQueries;
  private readonly taskRuns: DatastoreTaskRuns;

  constructor(options: DatastoreMappingStoreOptions = {}) {
    this.ds =
      options.datastore ??
      new Datastore({
        ...(options.projectId === undefined ? {} : { projectId: options.projectId }),
        ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint }),
      });
    this.namespace = options.namespace ?? this.ds.namespace;
    const pageSize = Math.max(1, Math.min(options.pageSize ?? MAX_BATCH, MAX_BATCH));
    this.attempts = Math.max(1, options.transactionAttempts ?? 6);
    this.queries = new MappingQueries(this.ds, this.namespace, pageSize);
    this.taskRuns = new DatastoreTaskRuns(
      this.ds,
      this.namespace,
      Math.max(1, options.taskRunTrimEvery ?? 20),
    );
  }

  // --- Global -----------------------------------------------------------------------------

  async getGlobal(): Promise<Global> {
    const [entity] = await classified('get', () => this.ds.get(this.globalKey()));
    return entity === undefined ? emptyGlobal() : toGlobal(entity);
  }

  async saveGlobal(g: Omit<Global, 'version'>, expectedVersion: number): Promise<Global> {
    const next = copyGlobal(toGlobal(globalProperties({ ...g, version: expectedVersion + 1 })));
    const props = globalProperties(next);
    const key = this.globalKey();
    assertEntityFits(KIND.global, [KIND.global, GLOBAL_KEY_NAME], props);
    await runTransaction(this.ds, this.attempts, 'saveGlobal', async (tx) => {
      const [entity] = await tx.get(key);
      const current = entity === undefined ? emptyGlobal() : toGlobal(entity);
      if (current.version !== expectedVersion)
        throw new ConflictError('Global was saved by someone else');
      tx.upsert(this.entity(KIND.global, key, props));
    });
    return next;
  }

  // --- CaseMapping ------------------------------------------------------------------------

  async findByGoogleCase(caseName: string): Promise<CaseMapping | null> {
    return this.findByIdentity('google', caseName);
  }

  async findByCompanyCase(ticketId: string): Promise<CaseMapping | null> {
    return this.findByIdentity('company', ticketId);
  }

  async get(id: string): Promise<CaseMapping | null> {
    if (!isValidMappingId(id)) return null;
    const [entity] = await classified('get', () => this.ds.get(this.mappingKey(id)));
    return entity === undefined ? null : toCaseMapping(id, entity);
  }

  async insert(m: NewCaseMapping): Promise<CaseMapping> {
    const id = randomUUID();
    const props = caseMappingProperties({ ...m, version: 1 });
    const stored = copyCaseMapping(toCaseMapping(id, props));
    assertEntityFits(KIND.caseMapping, caseMappingKeyPath(id), props);
    const identities = identitiesOf(stored);
    const indexKeys = identities.map(([side, value]) => this.indexKey(side, value));
    await runTransaction(this.ds, this.attempts, 'insert', async (tx) => {
      if (indexKeys.length > 0) {
        const [held] = await tx.get(indexKeys);
        if (held.length > 0) throw new ConflictError('case already mapped');
      }
      tx.insert(this.entity(KIND.caseMapping, this.mappingKey(id), props));
      for (const key of indexKeys)
        tx.insert(this.entity(KIND.caseMappingIndex, key, { mappingId: id }));
    });
    return stored;
  }

  async update(m: CaseMapping): Promise<CaseMapping> {
    if (!isValidMappingId(m.id)) throw new ConflictError('mapping no longer exists');
    const props = caseMappingProperties({ ...m, version: m.version + 1 });
    const next = copyCaseMapping(toCaseMapping(m.id, props));
    assertEntityFits(KIND.caseMapping, caseMappingKeyPath(m.id), props);
    const key = this.mappingKey(m.id);
    await runTransaction(this.ds, this.attempts, 'update', async (tx) => {
      const [entity] = await tx.get(key);
      if (entity === undefined) throw new ConflictError('mapping no longer exists');
      const current = toCaseMapping(m.id, entity);
      if (current.version !== m.version)
        throw new ConflictError('mapping was saved by someone else');
      await this.moveIdentity(tx, m.id, 'google', current.googleCaseName, next.googleCaseName);
      await this.moveIdentity(tx, m.id, 'company', current.companyCaseID, next.companyCaseID);
      tx.update(this.entity(KIND.caseMapping, key, props));
    });
    return next;
  }

  async delete(id: string): Promise<void> {
    if (!isValidMappingId(id)) return;
    const key = this.mappingKey(id);
    // Children first: if we stop half-way, the mapping is still there for the next clean-up.
    await this.deleteMirroredItems(key);
    await runTransaction(this.ds, this.attempts, 'delete', async (tx) => {
      const [entity] = await tx.get(key);
      if (entity === undefined) return;
      const current = toCaseMapping(id, entity);
      const indexKeys = identitiesOf(current).map(([side, value]) => this.indexKey(side, value));
      const [indexes] = indexKeys.length > 0 ? await tx.get(indexKeys) : [[]];
      const owned = (indexes as Record<string | symbol, unknown>[])
        .filter((e) => toIndexTarget(e) === id)
        .map((e) => e[Datastore.KEY] as Key);
      const leases = leaseKeysOf(current).map((k) => this.leaseKey(k));
      tx.delete([key, ...owned, ...leases]);
    });
  }

  listOpen(pageToken?: string): Promise<Page> {
    return this.queries.listOpen(pageToken);
  }

  listResolvedBefore(before: Date, pageToken?: string): Promise<Page> {
    return this.queries.listResolvedBefore(before, pageToken);
  }

  listPairs(
    filter: PairFilter,
    page: { readonly pageSize: number; readonly pageToken?: string },
  ): Promise<Page> {
    return this.queries.listPairs(filter, page);
  }

  recordTaskRun(run: TaskRun): Promise<void> {
    return this.taskRuns.record(run);
  }

  listTaskRuns(limit: number): Promise<TaskRun[]> {
    return this.taskRuns.list(limit);
  }

  // --- MirroredItem -----------------------------------------------------------------------

  async listMirroredItems(mappingId: string): Promise<MirroredItem[]> {
    if (!isValidMappingId(mappingId)) return [];
    const query = this.ds
      .createQuery(this.namespace ?? '', KIND.mirroredItem)
      .hasAncestor(this.mappingKey(mappingId));
    const [entities] = await classified('query', () => this.ds.runQuery(query));
    return (entities as unknown[]).map(toMirroredItem).sort(compareMirroredItems);
  }

  async recordMirroredItem(item: MirroredItem): Promise<void> {
    if (!isValidMappingId(item.mappingId)) {
      throw new SyncError('permanent', 'invalid mapping id', { source: 'store' });
    }
    const props = mirroredItemProperties(item);
    toMirroredItem(props);
    assertEntityFits(KIND.mirroredItem, mirroredItemKeyPath(item), props);
    const key = this.ds.key({
      namespace: this.namespace,
      path: [KIND.caseMapping, item.mappingId, KIND.mirroredItem, mirroredItemKeyName(item)],
    });
    try {
      // `insert` fails on an existing key: the first record wins, repeats change nothing.
      await retryAborted(this.attempts, () =>
        this.ds.insert(this.entity(KIND.mirroredItem, key, props)),
      );
    } catch (e) {
      if (grpcCode(e) === GRPC.alreadyExists) return;
      throw toStoreError(e, 'recordMirroredItem');
    }
  }

  // --- Lease ------------------------------------------------------------------------------

  async acquireLease(key: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const leaseKey = this.leaseKey(key);
    const props: Properties = { key, holder, expiresAt: new Date(now.getTime() + ttlMs) };
    assertEntityFits(KIND.lease, [KIND.lease, leaseKeyName(key)], props);
    try {
      return await runTransaction(this.ds, this.attempts, 'acquireLease', async (tx) => {
        const [entity] = await tx.get(leaseKey);
        if (entity !== undefined) {
          const current = toLease(entity);
          if (current.holder !== holder && current.expiresAt.getTime() > now.getTime()) {
            throw new EndWithout(false);
          }
        }
        tx.upsert(this.entity(KIND.lease, leaseKey, props));
        return true;
      });
    } catch (e) {
      // Still contended after every retry: someone else is taking it.
      if (e instanceof ConflictError && isAborted(e.cause)) return false;
      throw e;
    }
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    const leaseKey = this.leaseKey(key);
    await runTransaction(this.ds, this.attempts, 'releaseLease', async (tx) => {
      const [entity] = await tx.get(leaseKey);
      if (entity === undefined || toLease(entity).holder !== holder) return;
      tx.delete(leaseKey);
    });
  }

  // --- internals --------------------------------------------------------------------------

  private globalKey(): Key {
    return this.ds.key({ namespace: this.namespace, path: [KIND.global, GLOBAL_KEY_NAME] });
  }

  private mappingKey(id: string): Key {
    return this.ds.key({ namespace: this.namespace, path: [KIND.caseMapping, id] });
  }

  private indexKey(side: Side, value: string): Key {
    return this.ds.key({
      namespace: this.namespace,
      path: [KIND.caseMappingIndex, indexKeyName(side, value)],
    });
  }

  private leaseKey(key: string): Key {
    return this.ds.key({ namespace: this.namespace, path: [KIND.lease, leaseKeyName(key)] });
  }

  private entity(kind: Kind, key: Key, props: Properties) {
    return { key, data: props, excludeFromIndexes: excludeFromIndexes(kind, props) };
  }

  private async findByIdentity(side: Side, value: string): Promise<CaseMapping | null> {
    const [index] = await classified('get', () => this.ds.get(this.indexKey(side, value)));
    if (index === undefined) return null;
    const mapping = await this.get(toIndexTarget(index));
    // An index entity always names a mapping holding that identity; check anyway.
    const held =
      mapping === null ? null : side === 'google' ? mapping.googleCaseName : mapping.companyCaseID;
    return held === value ? mapping : null;
  }

  /** Within `tx`: moves the index entity of one identity of mapping `id` from `from` to `to`. */
  private async moveIdentity(
    tx: Transaction,
    id: string,
    side: Side,
    from: string | null,
    to: string | null,
  ): Promise<void> {
    if (from === to) return;
    if (to !== null) {
      const key = this.indexKey(side, to);
      const [held] = await tx.get(key);
      if (held !== undefined && toIndexTarget(held) !== id) {
        throw new ConflictError(
          side === 'google' ? 'Google case already mapped' : 'company case already mapped',
        );
      }
      tx.upsert(this.entity(KIND.caseMappingIndex, key, { mappingId: id }));
    }
    if (from !== null) {
      const key = this.indexKey(side, from);
      const [held] = await tx.get(key);
      if (held !== undefined && toIndexTarget(held) === id) tx.delete(key);
    }
  }

  private async deleteMirroredItems(mappingKey: Key): Promise<void> {
    for (;;) {
      const query = this.ds
        .createQuery(this.namespace ?? '', KIND.mirroredItem)
        .hasAncestor(mappingKey)
        .select('__key__')
        .limit(MAX_BATCH);
      const [entities] = await classified('query', () => this.ds.runQuery(query));
      const keys = (entities as Record<symbol, unknown>[]).map((e) => e[Datastore.KEY] as Key);
      if (keys.length === 0) return;
      await classified('delete', () => this.ds.delete(keys));
      if (keys.length < MAX_BATCH) return;
    }
  }
}

function emptyGlobal(): Global {
  return { google_last_polled_at: null, company_last_polled_at: null, version: 0 };
}

function identitiesOf(m: Pick<CaseMapping, 'googleCaseName' | 'companyCaseID'>): [Side, string][] {
  const out: [Side, string][] = [];
  if (m.googleCaseName !== null) out.push(['google', m.googleCaseName]);
  if (m.companyCaseID !== null) out.push(['company', m.companyCaseID]);
  return out;
}
