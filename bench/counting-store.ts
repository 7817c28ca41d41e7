// A MappingStore wrapper that counts every call by kind (read, write, lease) and the
// entities each call touches, without changing what the wrapped store does. Store
// operations are the MappingStore method calls; entities are what Datastore bills.
import type {
  CaseMapping,
  Global,
  MirroredItem,
  NewCaseMapping,
  PairFilter,
  TaskRun,
} from '../src/domain/mapping';
import type { MappingStore } from '../src/ports/mapping-store';

export type StoreMethod = keyof MappingStore;
export type StoreOpKind = 'read' | 'write' | 'lease';

/** How each method is counted. Leases are writes for Datastore, but are reported apart. */
export const STORE_OP_KIND: Readonly<Record<StoreMethod, StoreOpKind>> = {
  getGlobal: 'read',
  saveGlobal: 'write',
  findByGoogleCase: 'read',
  findByCompanyCase: 'read',
  get: 'read',
  insert: 'write',
  update: 'write',
  delete: 'write',
  listOpen: 'read',
  listResolvedBefore: 'read',
  listMirroredItems: 'read',
  recordMirroredItem: 'write',
  listPairs: 'read',
  recordTaskRun: 'write',
  listTaskRuns: 'read',
  acquireLease: 'lease',
  releaseLease: 'lease',
};

export interface StoreCounts {
  readonly reads: number;
  readonly writes: number;
  readonly leases: number;
  /** reads + writes + leases. */
  readonly total: number;
  /** Entities returned by reads (a list page counts each item; a miss counts 1). */
  readonly entitiesRead: number;
  /** Entities written (a mapping, the Global or a record; a delete counts 1). */
  readonly entitiesWritten: number;
  readonly byMethod: Readonly<Partial<Record<StoreMethod, number>>>;
}

export class CountingMappingStore implements MappingStore {
  private byMethod: Partial<Record<StoreMethod, number>> = {};
  private entitiesRead = 0;
  private entitiesWritten = 0;

  constructor(private readonly inner: MappingStore) {}

  /** The counts since construction or the last reset(). */
  counts(): StoreCounts {
    let reads = 0;
    let writes = 0;
    let leases = 0;
    for (const [method, n] of Object.entries(this.byMethod) as [StoreMethod, number][]) {
      const kind = STORE_OP_KIND[method];
      if (kind === 'read') reads += n;
      else if (kind === 'write') writes += n;
      else leases += n;
    }
    return {
      reads,
      writes,
      leases,
      total: reads + writes + leases,
      entitiesRead: this.entitiesRead,
      entitiesWritten: this.entitiesWritten,
      byMethod: { ...this.byMethod },
    };
  }

  reset(): void {
    this.byMethod = {};
    this.entitiesRead = 0;
    this.entitiesWritten = 0;
  }

  private count(method: StoreMethod, entities: number): void {
    this.byMethod[method] = (this.byMethod[method] ?? 0) + 1;
    const kind = STORE_OP_KIND[method];
    if (kind === 'read') this.entitiesRead += Math.max(1, entities);
    else this.entitiesWritten += entities;
  }

  async getGlobal(): Promise<Global> {
    this.count('getGlobal', 1);
    return this.inner.getGlobal();
  }

  async saveGlobal(g: Omit<Global, 'version'>, expectedVersion: number): Promise<Global> {
    this.count('saveGlobal', 1);
    return this.inner.saveGlobal(g, expectedVersion);
  }

  async findByGoogleCase(caseName: string): Promise<CaseMapping | null> {
    this.count('findByGoogleCase', 1);
    return this.inner.findByGoogleCase(caseName);
  }

  async findByCompanyCase(ticketId: string): Promise<CaseMapping | null> {
    this.count('findByCompanyCase', 1);
    return this.inner.findByCompanyCase(ticketId);
  }

  async get(id: string): Promise<CaseMapping | null> {
    this.count('get', 1);
    return this.inner.get(id);
  }

  async insert(m: NewCaseMapping): Promise<CaseMapping> {
    this.count('insert', 1);
    return this.inner.insert(m);
  }

  async update(m: CaseMapping): Promise<CaseMapping> {
    this.count('update', 1);
    return this.inner.update(m);
  }

  async delete(id: string): Promise<void> {
    this.count('delete', 1);
    return this.inner.delete(id);
  }

  async listOpen(pageToken?: string): Promise<{ items: CaseMapping[]; nextPageToken?: string }> {
    const page = await this.inner.listOpen(pageToken);
    this.count('listOpen', page.items.length);
    return page;
  }

  async listResolvedBefore(
    before: Date,
    pageToken?: string,
  ): Promise<{ items: CaseMapping[]; nextPageToken?: string }> {
    const page = await this.inner.listResolvedBefore(before, pageToken);
    this.count('listResolvedBefore', page.items.length);
    return page;
  }

  async listPairs(
    filter: PairFilter,
    page: { readonly pageSize: number; readonly pageToken?: string },
  ): Promise<{ items: CaseMapping[]; nextPageToken?: string }> {
    const result = await this.inner.listPairs(filter, page);
    this.count('listPairs', result.items.length);
    return result;
  }

  async recordTaskRun(run: TaskRun): Promise<void> {
    this.count('recordTaskRun', 1);
    return this.inner.recordTaskRun(run);
  }

  async listTaskRuns(limit: number): Promise<TaskRun[]> {
    const runs = await this.inner.listTaskRuns(limit);
    this.count('listTaskRuns', runs.length);
    return runs;
  }

  async listMirroredItems(mappingId: string): Promise<MirroredItem[]> {
    const items = await this.inner.listMirroredItems(mappingId);
    this.count('listMirroredItems', items.length);
    return items;
  }

  async recordMirroredItem(item: MirroredItem): Promise<void> {
    this.count('recordMirroredItem', 1);
    return this.inner.recordMirroredItem(item);
  }

  async acquireLease(key: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    this.count('acquireLease', 1);
    return this.inner.acquireLease(key, holder, now, ttlMs);
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    this.count('releaseLease', 1);
    return this.inner.releaseLease(key, holder);
  }
}
