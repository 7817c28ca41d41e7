import type { TaskDeps, TaskOutcome } from '../tasks/deps';
import { errorClass, taskRunOf } from '../tasks/admin-actions';

/**
 * Runs one task and writes its summary for the status page (one store write, and none for
 * a run that found and did nothing). The error still goes to the error handler
 * (errors.ts): `onError` only notes it first (a sync's lastError).
 */
export async function recorded<T extends TaskOutcome>(
  deps: TaskDeps,
  task: string,
  ref: string | null,
  run: () => Promise<T>,
  onError?: (e: unknown) => Promise<void>,
): Promise<T> {
  let outcome: T;
  try {
    outcome = await run();
  } catch (e) {
    await onError?.(e);
    await save(deps, taskRunOf(task, ref, deps.clock.now(), { error: e }));
    throw e;
  }
  await save(deps, taskRunOf(task, ref, deps.clock.now(), { outcome }));
  return outcome;
}

async function save(deps: TaskDeps, run: ReturnType<typeof taskRunOf>): Promise<void> {
  if (run === null) return;
  try {
    await deps.store.recordTaskRun(run);
  } catch (e) {
    deps.log.warn({ task: run.task, error: errorClass(e) }, 'task run not recorded');
  }
}
