// MappingStore on Firestore in Datastore mode (SPEC §3.3). Kinds: CaseMapping, Global,
// MirroredItem (child of its CaseMapping), CaseMappingIndex (uniqueness of a case across
// mappings, written in the same transaction as the mapping) and Lease. Queries use
// single-property filters only, so no composite index is needed.
// Talking to Datastore (classified calls, contention retries, transactions) is in
// datastore-transaction.ts; the entity encoding in entity-codec.ts.
import { randomUUID } from 'node:crypto';
import {
  Datastore,
  PropertyFilter,
  type Key,
  type Query,
  type Transaction,
} from '@google-cloud/datastore';
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
import { MAX_PAIRS_PAGE, type MappingStore } from '../../ports/mapping-store';
import { GRPC, grpcCode, isAborted, toStoreError } from './datastore-errors';
import { classified, EndWithout, retryAborted, runTransaction } from './datastore-transaction';
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
  TASK_RUNS_KEPT,
  taskRunKeyName,
  taskRunProperties,
  toTaskRun,
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

type Page = { items: CaseMapping[]; nextPageToken?: string };
type Kind = (typeof KIND)[keyof typeof KIND];

/** Smallest Datastore timestamp (0001-01-01T00:00:00Z). */
const MIN_TIMESTAMP = new Date('0001-01-01T00:00:00.000Z');
const OPEN_TOKEN = 'open1:';
const RESOLVED_TOKEN = 'resolved1:';

export class DatastoreMappingStore implements MappingStore {
  private readonly ds: Datastore;
  private readonly namespace: string | undefined;
  private readonly pageSize: number;
  private readonly attempts: number;
  private readonly trimEvery: number;
  private runsSinceTrim = 0;

  constructor(options: DatastoreMappingStoreOptions = {}) {
    this.ds =
      options.datastore ??
      new Datastore({
        ...(options.projectId === undefined ? {} : { projectId: options.projectId }),
        ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint }),
      });
    this.namespace = options.namespace ?? this.ds.namespace;
    this.pageSize = Math.max(1, Math.min(options.pageSize ?? MAX_BATCH, MAX_BATCH));
    this.attempts = Math.max(1, options.transactionAttempts ?? 6);
    this.trimEvery = Math.max(1, options.taskRunTrimEvery ?? 20);
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

  async listOpen(pageToken?: string): Promise<Page> {
    const query = this.ds
      .createQuery(this.namespace ?? '', KIND.caseMapping)
      .filter(new PropertyFilter('resolvedAt', '=', null));
    return this.page(query, OPEN_TOKEN, pageToken, (m) => m.resolvedAt === null);
  }

  async listResolvedBefore(before: Date, pageToken?: string): Promise<Page> {
    // Nulls sort before every timestamp, so `< before` alone would page through every open
    // mapping too: bound the range from below as well (one property: no composite index).
    const query = this.ds
      .createQuery(this.namespace ?? '', KIND.caseMapping)
      .filter(new PropertyFilter('resolvedAt', '>=', MIN_TIMESTAMP))
      .filter(new PropertyFilter('resolvedAt', '<', before));
    const limit = before.getTime();
    return this.page(
      query,
      RESOLVED_TOKEN,
      pageToken,
      (m) => m.resolvedAt !== null && m.resolvedAt.getTime() < limit,
    );
  }

  async listPairs(
    filter: PairFilter,
    page: { readonly pageSize: number; readonly pageToken?: string },
  ): Promise<Page> {
    const size = Math.max(1, Math.min(page.pageSize, MAX_PAIRS_PAGE));
    const query = this.ds.createQuery(this.namespace ?? '', KIND.caseMapping);
    // One property per query (no composite index); `>= MIN_TIMESTAMP` leaves out nulls.
    switch (filter.kind) {
      case 'open':
        query.filter(new PropertyFilter('resolvedAt', '=', null));
        return this.page(query, 'pairs-open1:', page.pageToken, (m) => m.resolvedAt === null, size);
      case 'failing':
        query.filter(new PropertyFilter('lastErrorAt', '>=', MIN_TIMESTAMP));
        return this.page(
          query,
          'pairs-failing1:',
          page.pageToken,
          (m) => m.resolvedAt === null,
          size,
        );
      case 'outage':
        query.filter(new PropertyFilter('outageDetectedAt', '>=', MIN_TIMESTAMP));
        return this.page(
          query,
          'pairs-outage1:',
          page.pageToken,
          (m) => m.resolvedAt === null,
          size,
        );
      case 'closed': {
        query.filter(new PropertyFilter('resolvedAt', '>=', filter.since));
        const since = filter.since.getTime();
        return this.page(
          query,
          `pairs-closed1-${since}:`,
          page.pageToken,
          (m) => m.resolvedAt !== null && m.resolvedAt.getTime() >= since,
          size,
        );
      }
    }
  }

  // --- TaskRun ----------------------------------------------------------------------------

  async recordTaskRun(run: TaskRun): Promise<void> {
    const props = taskRunProperties(run);
    toTaskRun(props);
    const name = taskRunKeyName(run, randomUUID().slice(0, 8));
    assertEntityFits(KIND.taskRun, [KIND.taskRun, name], props);
    const key = this.ds.key({ namespace: this.namespace, path: [KIND.taskRun, name] });
    await classified('save', () => this.ds.save(this.entity(KIND.taskRun, key, props)));
    this.runsSinceTrim += 1;
    if (this.runsSinceTrim >= this.trimEvery) {
      this.runsSinceTrim = 0;
      await this.trimTaskRuns();
    }
  }

  async listTaskRuns(limit: number): Promise<TaskRun[]> {
    const n = Math.max(0, Math.min(limit, TASK_RUNS_KEPT));
    if (n === 0) return [];
    const query = this.ds.createQuery(this.namespace ?? '', KIND.taskRun).limit(n);
    const [entities] = await classified('query', () => this.ds.runQuery(query));
    return (entities as unknown[]).map(toTaskRun);
  }

  /** Deletes the runs older than the newest TASK_RUNS_KEPT (keys sort newest first). */
  private async trimTaskRuns(): Promise<void> {
    const query = this.ds
      .createQuery(this.namespace ?? '', KIND.taskRun)
      .select('__key__')
      .offset(TASK_RUNS_KEPT)
      .limit(MAX_BATCH);
    const [entities] = await classified('query', () => this.ds.runQuery(query));
    const keys = (entities as Record<symbol, unknown>[]).map((e) => e[Datastore.KEY] as Key);
    if (keys.length > 0) await classified('delete', () => this.ds.delete(keys));
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

  private async page(
    query: Query,
    prefix: string,
    pageToken: string | undefined,
    keep: (m: CaseMapping) => boolean,
    pageSize = this.pageSize,
  ): Promise<Page> {
    let q = query.limit(pageSize);
    if (pageToken !== undefined) {
      if (!pageToken.startsWith(prefix) || pageToken.length === prefix.length) {
        throw new SyncError('permanent', 'invalid page token', { source: 'store' });
      }
      q = q.start(pageToken.slice(prefix.length));
    }
    const [entities, info] = await classified('query', () => this.ds.runQuery(q));
    const items = (entities as Record<string | symbol, unknown>[])
      .map((e) => toCaseMapping(keyName(e[Datastore.KEY]), e))
      .filter(keep);
    const page: Page = { items };
    // The SDK keeps fetching NOT_FINISHED batches up to the limit, so a short page is the
    // last one (Datastore, and the emulator, may still say MORE_RESULTS_AFTER_LIMIT).
    if (
      entities.length >= pageSize &&
      info.moreResults !== 'NO_MORE_RESULTS' &&
      info.endCursor !== undefined
    ) {
      page.nextPageToken = prefix + info.endCursor;
    }
    return page;
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

function keyName(key: unknown): string {
  const name = (key as Partial<Key> | undefined)?.name;
  if (typeof name !== 'string')
    throw new SyncError('permanent', 'stored CaseMapping has no key name', { source: 'store' });
  return name;
}
