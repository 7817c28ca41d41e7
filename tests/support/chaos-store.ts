// A MappingStore wrapper for the chaos suite. It delegates to a real store and, while
// `active`, sometimes fails the way a process or Datastore does in production:
// - recordMirroredItem throws before recording: the upstream write it records already
//   happened, and the worker "dies" before the store learns of it (SPEC §4: a crash
//   between the write and its record);
// - update throws, either before writing (the store was unavailable) or after writing (the
//   commit landed but the answer was lost).
// The thrown errors are plain Errors for crashes (the route answers 500 like any crash) and
// retryable SyncErrors for store failures.
import { SyncError } from '../../src/domain/errors';
import type {
  CaseMapping,
  Global,
  MirroredItem,
  NewCaseMapping,
  PairFilter,
  TaskRun,
} from '../../src/domain/mapping';
import type { MappingStore } from '../../src/ports/mapping-store';
import type { Random } from './chaos-random';

export interface ChaosStoreTally {
  /** Crashes injected between an upstream write and its record. */
  crashes: number;
  /** update() failures injected before the write. */
  updateFailuresBefore: number;
  /** update() failures injected after the write had landed. */
  updateFailuresAfter: number;
}

export interface ChaosStoreOptions {
  readonly random: Random;
  /** Fraction of recordMirroredItem calls that crash. */
  readonly crashRate: number;
  /** Fraction of update calls that fail (half before, half after the write). */
  readonly updateFailureRate: number;
  /** Shared between the wrappers of several instances. */
  readonly tally: ChaosStoreTally;
}

export function newChaosStoreTally(): ChaosStoreTally {
  return { crashes: 0, updateFailuresBefore: 0, updateFailuresAfter: 0 };
}

export class ChaosStore implements MappingStore {
  /** Faults are injected only while true. */
  active = true;

  constructor(
    private readonly inner: MappingStore,
    private readonly opts: ChaosStoreOptions,
  ) {}

  getGlobal(): Promise<Global> {
    return this.inner.getGlobal();
  }

  saveGlobal(g: Omit<Global, 'version'>, expectedVersion: number): Promise<Global> {
    return this.inner.saveGlobal(g, expectedVersion);
  }

  findByGoogleCase(caseName: string): Promise<CaseMapping | null> {
    return this.inner.findByGoogleCase(caseName);
  }

  findByCompanyCase(ticketId: string): Promise<CaseMapping | null> {
    return this.inner.findByCompanyCase(ticketId);
  }

  get(id: string): Promise<CaseMapping | null> {
    return this.inner.get(id);
  }

  insert(m: NewCaseMapping): Promise<CaseMapping> {
    return this.inner.insert(m);
  }

  async update(m: CaseMapping): Promise<CaseMapping> {
    if (this.active && this.opts.random() < this.opts.updateFailureRate) {
      const after = this.opts.random() < 0.5;
      if (after) {
        await this.inner.update(m);
        this.opts.tally.updateFailuresAfter += 1;
      } else {
        this.opts.tally.updateFailuresBefore += 1;
      }
      throw new SyncError('retry', 'injected datastore failure', { source: 'datastore' });
    }
    return this.inner.update(m);
  }

  delete(id: string): Promise<void> {
    return this.inner.delete(id);
  }

  listOpen(pageToken?: string): Promise<{ items: CaseMapping[]; nextPageToken?: string }> {
    return this.inner.listOpen(pageToken);
  }

  listResolvedBefore(
    before: Date,
    pageToken?: string,
  ): Promise<{ items: CaseMapping[]; nextPageToken?: string }> {
    return this.inner.listResolvedBefore(before, pageToken);
  }

  listPairs(
    filter: PairFilter,
    page: { readonly pageSize: number; readonly pageToken?: string },
  ): Promise<{ items: CaseMapping[]; nextPageToken?: string }> {
    return this.inner.listPairs(filter, page);
  }

  recordTaskRun(run: TaskRun): Promise<void> {
    return this.inner.recordTaskRun(run);
  }

  listTaskRuns(limit: number): Promise<TaskRun[]> {
    return this.inner.listTaskRuns(limit);
  }

  listMirroredItems(mappingId: string): Promise<MirroredItem[]> {
    return this.inner.listMirroredItems(mappingId);
  }

  async recordMirroredItem(item: MirroredItem): Promise<void> {
    if (this.active && this.opts.random() < this.opts.crashRate) {
      this.opts.tally.crashes += 1;
      throw new Error('injected crash between an upstream write and its record');
    }
    await this.inner.recordMirroredItem(item);
  }

  acquireLease(key: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    return this.inner.acquireLease(key, holder, now, ttlMs);
  }

  releaseLease(key: string, holder: string): Promise<void> {
    return this.inner.releaseLease(key, holder);
  }
}
