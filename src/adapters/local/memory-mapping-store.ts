// In-process MappingStore (sandbox, tests). Behaves like DatastoreMappingStore: the same
// ConflictErrors, idempotence, paging and entity-size limits (the shared contract suite in
// tests/contract/ proves it). Every operation runs to completion without awaiting, so
// concurrent calls are serialised exactly like Datastore transactions.
import { randomUUID } from 'node:crypto';
import { ConflictError, SyncError } from '../../domain/errors';
import type {
  CaseMapping,
  Global,
  MirroredItem,
  NewCaseMapping,
  PairFilter,
  TaskRun,
} from '../../domain/mapping';
import { MAX_PAIRS_PAGE, type MappingStore } from '../../ports/mapping-store';
import {
  KIND,
  MAX_BATCH,
  assertEntityFits,
  caseMappingKeyPath,
  caseMappingProperties,
  compareMirroredItems,
  copyCaseMapping,
  copyGlobal,
  copyMirroredItem,
  globalProperties,
  isValidMappingId,
  leaseKeysOf,
  mirroredItemKeyName,
  mirroredItemKeyPath,
  mirroredItemProperties,
  toCaseMapping,
  toGlobal,
  toMirroredItem,
} from '../datastore/entity-codec';
import {
  TASK_RUNS_KEPT,
  taskRunKeyName,
  taskRunProperties,
  toTaskRun,
} from '../datastore/task-run-codec';

export interface MemoryMappingStoreOptions {
  /** Page size of listOpen / listResolvedBefore (default 500, like Datastore). */
  readonly pageSize?: number;
}

interface Lease {
  readonly holder: string;
  readonly expiresAt: number;
}

type Page = { items: CaseMapping[]; nextPageToken?: string };

export class MemoryMappingStore implements MappingStore {
  private readonly pageSize: number;
  private global: Global = {
    google_last_polled_at: null,
    company_last_polled_at: null,
    version: 0,
  };
  private readonly mappings = new Map<string, CaseMapping>();
  private readonly byGoogleCase = new Map<string, string>();
  private readonly byCompanyCase = new Map<string, string>();
  /** mappingId → (item key name → item). */
  private readonly mirrored = new Map<string, Map<string, MirroredItem>>();
  private readonly leases = new Map<string, Lease>();
  /** Key name → run; key names sort newest first. */
  private readonly runs = new Map<string, TaskRun>();
  private runCounter = 0;

  constructor(options: MemoryMappingStoreOptions = {}) {
    this.pageSize = Math.max(1, Math.min(options.pageSize ?? MAX_BATCH, MAX_BATCH));
  }

  async getGlobal(): Promise<Global> {
    return copyGlobal(this.global);
  }

  async saveGlobal(g: Omit<Global, 'version'>, expectedVersion: number): Promise<Global> {
    if (this.global.version !== expectedVersion) {
      throw new ConflictError('Global was saved by someone else');
    }
    const next = toGlobal(globalProperties({ ...g, version: expectedVersion + 1 }));
    this.global = copyGlobal(next);
    return copyGlobal(next);
  }

  async findByGoogleCase(caseName: string): Promise<CaseMapping | null> {
    const id = this.byGoogleCase.get(caseName);
    return id === undefined ? null : this.copyOf(id);
  }

  async findByCompanyCase(ticketId: string): Promise<CaseMapping | null> {
    const id = this.byCompanyCase.get(ticketId);
    return id === undefined ? null : this.copyOf(id);
  }

  async get(id: string): Promise<CaseMapping | null> {
    return this.copyOf(id);
  }

  async insert(m: NewCaseMapping): Promise<CaseMapping> {
    const id = randomUUID();
    const stored = this.checked({ ...m, id, version: 1 });
    this.assertFree(stored, id);
    this.mappings.set(id, stored);
    this.index(stored);
    return copyCaseMapping(stored);
  }

  async update(m: CaseMapping): Promise<CaseMapping> {
    const current = this.mappings.get(m.id);
    if (current === undefined) throw new ConflictError('mapping no longer exists');
    if (current.version !== m.version) throw new ConflictError('mapping was saved by someone else');
    const stored = this.checked({ ...m, version: m.version + 1 });
    this.assertFree(stored, m.id);
    this.unindex(current);
    this.mappings.set(m.id, stored);
    this.index(stored);
    return copyCaseMapping(stored);
  }

  async delete(id: string): Promise<void> {
    const current = this.mappings.get(id);
    this.mirrored.delete(id);
    if (current === undefined) return;
    this.unindex(current);
    this.mappings.delete(id);
    for (const key of leaseKeysOf(current)) this.leases.delete(key);
  }

  async listOpen(pageToken?: string): Promise<Page> {
    const open = [...this.mappings.values()].filter((m) => m.resolvedAt === null);
    open.sort((a, b) => compareStrings(a.id, b.id));
    return this.page(open, (m) => m.id, pageToken);
  }

  async listResolvedBefore(before: Date, pageToken?: string): Promise<Page> {
    const limit = before.getTime();
    const resolved = [...this.mappings.values()].filter(
      (m) => m.resolvedAt !== null && m.resolvedAt.getTime() < limit,
    );
    const sortKey = (m: CaseMapping): string =>
      `${String((m.resolvedAt?.getTime() ?? 0) + MAX_DATE_MS).padStart(17, '0')}|${m.id}`;
    resolved.sort((a, b) => compareStrings(sortKey(a), sortKey(b)));
    return this.page(resolved, sortKey, pageToken);
  }

  async listPairs(
    filter: PairFilter,
    page: { readonly pageSize: number; readonly pageToken?: string },
  ): Promise<Page> {
    const matches = [...this.mappings.values()].filter((m) => pairMatches(filter, m));
    matches.sort((a, b) => compareStrings(a.id, b.id));
    const size = Math.max(1, Math.min(page.pageSize, MAX_PAIRS_PAGE));
    return this.page(matches, (m) => m.id, page.pageToken, size);
  }

  async recordTaskRun(run: TaskRun): Promise<void> {
    const checked = toTaskRun(taskRunProperties(run));
    this.runCounter += 1;
    this.runs.set(taskRunKeyName(checked, String(this.runCounter).padStart(12, '0')), checked);
    const names = [...this.runs.keys()].sort(compareStrings);
    for (const name of names.slice(TASK_RUNS_KEPT)) this.runs.delete(name);
  }

  async listTaskRuns(limit: number): Promise<TaskRun[]> {
    const names = [...this.runs.keys()].sort(compareStrings);
    const n = Math.max(0, Math.min(limit, TASK_RUNS_KEPT));
    return names.slice(0, n).map((name) => toTaskRun(taskRunProperties(this.runs.get(name)!)));
  }

  async listMirroredItems(mappingId: string): Promise<MirroredItem[]> {
    const items = [...(this.mirrored.get(mappingId)?.values() ?? [])].map(copyMirroredItem);
    return items.sort(compareMirroredItems);
  }

  async recordMirroredItem(item: MirroredItem): Promise<void> {
    if (!isValidMappingId(item.mappingId)) {
      throw new SyncError('permanent', 'invalid mapping id', { source: 'store' });
    }
    const props = mirroredItemProperties(item);
    const checked = toMirroredItem(props);
    assertEntityFits(KIND.mirroredItem, mirroredItemKeyPath(item), props);
    let items = this.mirrored.get(item.mappingId);
    if (items === undefined) {
      items = new Map();
      this.mirrored.set(item.mappingId, items);
    }
    const name = mirroredItemKeyName(item);
    // First record wins: a second record of the same source item changes nothing.
    if (!items.has(name)) items.set(name, copyMirroredItem(checked));
  }

  async acquireLease(key: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const current = this.leases.get(key);
    const t = now.getTime();
    if (current !== undefined && current.holder !== holder && current.expiresAt > t) return false;
    this.leases.set(key, { holder, expiresAt: t + ttlMs });
    return true;
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    if (this.leases.get(key)?.holder === holder) this.leases.delete(key);
  }

  // --- internals --------------------------------------------------------------------------

  private copyOf(id: string): CaseMapping | null {
    const m = this.mappings.get(id);
    return m === undefined ? null : copyCaseMapping(m);
  }

  /** Validates like the Datastore boundary does, and returns a private copy. */
  private checked(m: CaseMapping): CaseMapping {
    const props = caseMappingProperties(m);
    assertEntityFits(KIND.caseMapping, caseMappingKeyPath(m.id), props);
    return copyCaseMapping(toCaseMapping(m.id, props));
  }

  private assertFree(m: CaseMapping, id: string): void {
    const g = m.googleCaseName === null ? undefined : this.byGoogleCase.get(m.googleCaseName);
    if (g !== undefined && g !== id) throw new ConflictError('Google case already mapped');
    const c = m.companyCaseID === null ? undefined : this.byCompanyCase.get(m.companyCaseID);
    if (c !== undefined && c !== id) throw new ConflictError('company case already mapped');
  }

  private index(m: CaseMapping): void {
    if (m.googleCaseName !== null) this.byGoogleCase.set(m.googleCaseName, m.id);
    if (m.companyCaseID !== null) this.byCompanyCase.set(m.companyCaseID, m.id);
  }

  private unindex(m: CaseMapping): void {
    if (m.googleCaseName !== null && this.byGoogleCase.get(m.googleCaseName) === m.id) {
      this.byGoogleCase.delete(m.googleCaseName);
    }
    if (m.companyCaseID !== null && this.byCompanyCase.get(m.companyCaseID) === m.id) {
      this.byCompanyCase.delete(m.companyCaseID);
    }
  }

  /** Pages a sorted list; the token is the sort key of the last item returned. */
  private page(
    sorted: CaseMapping[],
    sortKey: (m: CaseMapping) => string,
    pageToken?: string,
    pageSize = this.pageSize,
  ): Page {
    let rest = sorted;
    if (pageToken !== undefined) {
      const after = decodeToken(pageToken);
      rest = sorted.filter((m) => sortKey(m) > after);
    }
    const items = rest.slice(0, pageSize);
    const last = items[items.length - 1];
    const page: Page = { items: items.map(copyCaseMapping) };
    if (rest.length > items.length && last !== undefined)
      page.nextPageToken = encodeToken(sortKey(last));
    return page;
  }
}

/** Whether a mapping belongs to a listPairs filter (the Datastore store's queries, in memory). */
function pairMatches(filter: PairFilter, m: CaseMapping): boolean {
  switch (filter.kind) {
    case 'open':
      return m.resolvedAt === null;
    case 'failing':
      return m.resolvedAt === null && (m.lastErrorAt ?? null) !== null;
    case 'outage':
      return m.resolvedAt === null && (m.outageDetectedAt ?? null) !== null;
    case 'closed':
      return m.resolvedAt !== null && m.resolvedAt.getTime() >= filter.since.getTime();
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Largest |time| a Date can hold: shifts times to non-negative, fixed-width sort keys. */
const MAX_DATE_MS = 8.64e15;

const TOKEN_PREFIX = 'mem1:';

function encodeToken(sortKey: string): string {
  return Buffer.from(TOKEN_PREFIX + sortKey, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith(TOKEN_PREFIX)) {
    throw new SyncError('permanent', 'invalid page token', { source: 'store' });
  }
  return decoded.slice(TOKEN_PREFIX.length);
}
