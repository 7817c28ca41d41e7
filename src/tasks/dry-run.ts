// DRY_RUN=true: where a task would write to Google or the CRM, it says so instead (one INFO
// line `would …`, ids only) and records the action once (a MirroredItem of kind `dry-run`,
// and a task-run row the status page lists),
// so that the next run of the same plan stays silent. The decision is the tasks' (they
// apply plans); the planners never see it. See README "Dry run".
import { dryRunKey, dryRunRecord, WOULD_MESSAGES, type WouldWrite } from '../domain/dry-run';
import type { MirroredItem } from '../domain/mapping';
import type { TaskDeps } from './deps';

/** The pair a task works on, as the `would …` lines name it. */
export interface DryRunScope {
  readonly task: string;
  readonly mappingId: string;
  readonly caseName: string | null;
  readonly issueId: string | null;
}

export interface DryRun {
  /**
   * Says `w` (once per pair and action, across runs) instead of writing it; true when the
   * caller must skip the write. A null `w` (the action writes nothing upstream) is false.
   */
  sayInstead(w: WouldWrite | null): Promise<boolean>;
  /** Writes this run would have made (said now or by an earlier run): while any, the pair is not in step. */
  readonly planned: number;
}

/**
 * The dry run of one task's run over one pair, or null when the connector writes for real.
 * `records` are the pair's stored records (they tell what was said already).
 */
export function dryRunOf(
  deps: TaskDeps,
  scope: DryRunScope,
  records: readonly MirroredItem[],
): DryRun | null {
  if (!deps.settings.dryRun) return null;
  const said = new Set(records.filter((r) => r.kind === 'dry-run').map(dryRunKey));
  let planned = 0;
  return {
    get planned() {
      return planned;
    },
    async sayInstead(w) {
      if (!w) return false;
      planned += 1;
      const record = dryRunRecord(scope.mappingId, w, deps.clock.now());
      const key = dryRunKey(record);
      if (said.has(key)) return true;
      await deps.store.recordMirroredItem(record);
      said.add(key);
      // Also one row of the status page's recent task runs (the page lists what a dry run
      // would write; the record above is what keeps it said once).
      await deps.store
        .recordTaskRun({
          task: 'dry-run',
          at: record.createdAt,
          outcome: 'skipped',
          ref: scope.caseName ?? scope.issueId ?? scope.mappingId,
          reason: `would ${w.action} on ${w.on}`,
          counts: {},
        })
        .catch(() => deps.log.warn({ task: 'dry-run' }, 'task run not recorded'));
      deps.log.info(
        {
          task: scope.task,
          mappingId: scope.mappingId,
          caseName: scope.caseName,
          issueId: scope.issueId,
          action: w.action,
          side: w.on,
          itemId: w.itemId,
          dryRun: true,
        },
        WOULD_MESSAGES[w.action],
      );
      return true;
    },
  };
}

/** dryRunOf with the pair's records read from the store (read only in a dry run). */
export async function loadDryRun(deps: TaskDeps, scope: DryRunScope): Promise<DryRun | null> {
  if (!deps.settings.dryRun) return null;
  return dryRunOf(deps, scope, await deps.store.listMirroredItems(scope.mappingId));
}

/** A sync that stopped at a write the dry run only said: done for now, not retried. */
export const SAID_NOT_WRITTEN = { outcome: 'skipped', reason: 'dry-run' } as const;
