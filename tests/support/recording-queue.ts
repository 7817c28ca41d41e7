import type { Clock } from '../../src/ports/clock';
import type {
  EnqueueOptions,
  EnqueueResult,
  SyncTask,
  TaskQueue,
} from '../../src/ports/task-queue';
import { Faults, type FaultOptions } from './faults';

export interface RecordedTask {
  readonly task: SyncTask;
  readonly dedupKey?: string;
  readonly notBefore?: Date;
  readonly at: Date;
}

/** How long Cloud Tasks keeps a task name reserved after the task was created. */
export const DEDUP_MEMORY_MS = 60 * 60 * 1000;

/**
 * A TaskQueue that records the tasks instead of running them. Like Cloud Tasks with named
 * tasks, a second enqueue with a dedupKey seen in the last hour is accepted and dropped.
 * Tests drain the queue with `take()` and run the tasks themselves.
 */
export class RecordingTaskQueue implements TaskQueue {
  /** Every task accepted (duplicates excluded), in order. */
  readonly tasks: RecordedTask[] = [];
  /** Enqueues dropped because their dedupKey was taken. */
  readonly duplicates: RecordedTask[] = [];
  readonly faults = new Faults<'enqueue'>();
  private readonly seen = new Map<string, number>();
  private taken = 0;

  constructor(private readonly clock?: Clock) {}

  async enqueue(task: SyncTask, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    return this.faults.run('enqueue', [task, opts], (): EnqueueResult => {
      const at = this.clock?.now() ?? new Date(0);
      const record: RecordedTask = {
        task: { ...task },
        dedupKey: opts.dedupKey,
        ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
        at,
      };
      if (opts.dedupKey !== undefined) {
        const first = this.seen.get(opts.dedupKey);
        if (
          first !== undefined &&
          (this.clock === undefined || at.getTime() - first < DEDUP_MEMORY_MS)
        ) {
          this.duplicates.push(record);
          return 'duplicate';
        }
        this.seen.set(opts.dedupKey, at.getTime());
      }
      this.tasks.push(record);
      return 'created';
    });
  }

  failNext(error: Error, opts?: FaultOptions): void {
    this.faults.failNext('enqueue', error, opts);
  }

  /** Tasks accepted since the last take(), in order (the queue's backlog). */
  take(): SyncTask[] {
    const backlog = this.tasks.slice(this.taken).map((r) => r.task);
    this.taken = this.tasks.length;
    return backlog;
  }

  /** Tasks accepted and not taken yet. */
  pending(): SyncTask[] {
    return this.tasks.slice(this.taken).map((r) => r.task);
  }
}
