// The TaskRun kind of DatastoreMappingStore: the status page's recent task runs, the
// newest TASK_RUNS_KEPT (trimmed once every `trimEvery` writes of this instance).
import { randomUUID } from 'node:crypto';
import { Datastore, type Key } from '@google-cloud/datastore';
import type { TaskRun } from '../../domain/mapping';
import { classified } from './datastore-transaction';
import { assertEntityFits, excludeFromIndexes, KIND, MAX_BATCH } from './entity-codec';
import { TASK_RUNS_KEPT, taskRunKeyName, taskRunProperties, toTaskRun } from './task-run-codec';

export class DatastoreTaskRuns {
  private runsSinceTrim = 0;

  constructor(
    private readonly ds: Datastore,
    private readonly namespace: string | undefined,
    private readonly trimEvery: number,
  ) {}

  async record(run: TaskRun): Promise<void> {
    const props = taskRunProperties(run);
    toTaskRun(props);
    const name = taskRunKeyName(run, randomUUID().slice(0, 8));
    assertEntityFits(KIND.taskRun, [KIND.taskRun, name], props);
    const key = this.ds.key({ namespace: this.namespace, path: [KIND.taskRun, name] });
    await classified('save', () =>
      this.ds.save({
        key,
        data: props,
        excludeFromIndexes: excludeFromIndexes(KIND.taskRun, props),
      }),
    );
    this.runsSinceTrim += 1;
    if (this.runsSinceTrim >= this.trimEvery) {
      this.runsSinceTrim = 0;
      await this.trimTaskRuns();
    }
  }

  async list(limit: number): Promise<TaskRun[]> {
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
}
