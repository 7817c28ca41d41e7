import { CLEAN_UP_AFTER_MS } from '../domain/sync-state';
import type { TaskDeps, TaskOutcome } from './deps';

/** CleanUpCaseMappings: deletes pairs (and their item records) 30 days after resolvedAt. */
export async function cleanUpCaseMappings(deps: TaskDeps): Promise<TaskOutcome> {
  const before = new Date(deps.clock.now().getTime() - CLEAN_UP_AFTER_MS);
  let deleted = 0;
  // Deleting while paging would shift a cursor: collect the ids of this run first.
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await deps.store.listResolvedBefore(before, token);
    ids.push(...page.items.map((m) => m.id));
    token = page.nextPageToken;
  } while (token);
  for (const id of ids) {
    await deps.store.delete(id);
    deleted += 1;
  }
  deps.log.info(
    { task: 'clean-up', pairs: deleted, deleted, mirrored: 0, failures: 0 },
    'case mappings cleaned up',
  );
  return { outcome: 'done', deleted };
}
