import type {
  CaseMapping,
  Global,
  MirroredItem,
  NewCaseMapping,
  PairFilter,
  TaskRun,
} from '../domain/mapping';

/** Largest page of listPairs (the status page shows one page per request). */
export const MAX_PAIRS_PAGE = 100;

/**
 * Persistent state (Datastore kinds CaseMapping, Global, MirroredItem, plus leases).
 * Errors: ConflictError on a lost optimistic write or a duplicate identity.
 */
export interface MappingStore {
  getGlobal(): Promise<Global>;
  /** Saves if `expectedVersion` matches; otherwise ConflictError. Returns the new Global. */
  saveGlobal(g: Omit<Global, 'version'>, expectedVersion: number): Promise<Global>;

  findByGoogleCase(caseName: string): Promise<CaseMapping | null>;
  findByCompanyCase(ticketId: string): Promise<CaseMapping | null>;
  get(id: string): Promise<CaseMapping | null>;
  /**
   * Inserts a mapping. ConflictError if another mapping already holds the same
   * googleCaseName or companyCaseID (so two polls cannot both adopt one case).
   */
  insert(m: NewCaseMapping): Promise<CaseMapping>;
  /**
   * Saves `m` if the stored version equals `m.version`, bumping it; ConflictError otherwise
   * or when a newly set googleCaseName/companyCaseID is already held by another mapping.
   */
  update(m: CaseMapping): Promise<CaseMapping>;
  /** Deletes the mapping and its mirrored-item records. */
  delete(id: string): Promise<void>;
  /** Every mapping with resolvedAt null (detect-outages), in pages. */
  listOpen(pageToken?: string): Promise<{ items: CaseMapping[]; nextPageToken?: string }>;
  /** Mappings resolved before `before` (clean-up), in pages. */
  listResolvedBefore(
    before: Date,
    pageToken?: string,
  ): Promise<{ items: CaseMapping[]; nextPageToken?: string }>;

  /**
   * The status page's listing: one filtered page of at most `pageSize` (≤ MAX_PAIRS_PAGE)
   * pairs in a stable order, and a cursor to the next page. Never reads the whole kind.
   */
  listPairs(
    filter: PairFilter,
    page: { readonly pageSize: number; readonly pageToken?: string },
  ): Promise<{ items: CaseMapping[]; nextPageToken?: string }>;

  /** One write: a task route's summary. The store keeps about the newest TASK_RUNS_KEPT. */
  recordTaskRun(run: TaskRun): Promise<void>;
  /** The newest runs first, at most `limit` (≤ 200). */
  listTaskRuns(limit: number): Promise<TaskRun[]>;

  listMirroredItems(mappingId: string): Promise<MirroredItem[]>;
  /** Idempotent on (mappingId, kind, sourceSide, sourceId). */
  recordMirroredItem(item: MirroredItem): Promise<void>;

  /**
   * Takes the lease `key` for `holder` until `now + ttlMs` if it is free or expired (or
   * already held by `holder`). Returns false when someone else holds it.
   */
  acquireLease(key: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  releaseLease(key: string, holder: string): Promise<void>;
}
