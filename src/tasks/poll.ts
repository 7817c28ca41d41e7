import { ConflictError } from '../domain/errors';
import type { Global } from '../domain/mapping';
import { observedCase, observedTicket, planPolledItem, type Observed } from '../domain/plan-poll';
import { ADOPTION_LIMIT_MS } from '../domain/sync-state';
import type { Side } from '../domain/types';
import type { CaseMapping } from '../domain/mapping';
import type { Page } from '../ports/support-cases';
import type { SyncTask } from '../ports/task-queue';
import type { TaskDeps, TaskOutcome } from './deps';

interface PollSide {
  readonly side: Side;
  readonly windowMs: number;
  readonly lastPolled: (g: Global) => Date | null;
  readonly withPolled: (g: Global, at: Date) => Omit<Global, 'version'>;
  readonly search: (since: Date, pageToken?: string) => Promise<Page<Observed>>;
  readonly findMapping: (ref: string) => Promise<CaseMapping | null>;
  readonly findCounterpartMapping: (ref: string) => Promise<CaseMapping | null>;
  readonly task: (ref: string) => SyncTask;
}

/**
 * The shared body of PollGoogleForUpdates and PollCompanyForUpdates: search what changed
 * since the last poll minus the window, adopt new items, mark changed mappings pending,
 * enqueue one sync per changed item, and only then advance the cursor. Costs O(changed).
 */
export async function poll(deps: TaskDeps, p: PollSide): Promise<TaskOutcome> {
  const now = deps.clock.now();
  const global = await deps.store.getGlobal();
  const last = p.lastPolled(global);
  const since = new Date(last ? last.getTime() - p.windowMs : now.getTime() - ADOPTION_LIMIT_MS);
  const pollKey = Math.floor(now.getTime() / 60_000).toString(36);
  let changed = 0;
  let adopted = 0;
  let pageToken: string | undefined;
  do {
    const page = await p.search(since, pageToken);
    for (const item of page.items) {
      changed += 1;
      if (await handleItem(deps, p, item, now, pollKey)) adopted += 1;
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  try {
    await deps.store.saveGlobal(p.withPolled(global, now), global.version);
  } catch (e) {
    // Another poll advanced the cursor meanwhile; both enqueued their work, nothing is lost.
    if (!(e instanceof ConflictError)) throw e;
    deps.log.info({ side: p.side }, 'poll cursor moved by a concurrent poll');
  }
  // The run's one summary line (every task logs one: task, pairs, mirrored, failures).
  deps.log.info(
    {
      task: `poll-${p.side}`,
      side: p.side,
      pairs: changed,
      changed,
      adopted,
      mirrored: 0,
      failures: 0,
    },
    'poll done',
  );
  return { outcome: 'done', changed, adopted };
}

async function handleItem(
  deps: TaskDeps,
  p: PollSide,
  item: Observed,
  now: Date,
  pollKey: string,
): Promise<boolean> {
  const mapping = await p.findMapping(item.ref);
  const counterpartMapping =
    !mapping && item.counterpart ? await p.findCounterpartMapping(item.counterpart) : null;
  let adopted = false;
  for (const action of planPolledItem(item, mapping, now, counterpartMapping)) {
    switch (action.kind) {
      case 'skip':
        deps.log.debug({ side: p.side, ref: item.ref, reason: action.reason }, 'poll skipped item');
        break;
      case 'adopt':
        try {
          await deps.store.insert(action.mapping);
          adopted = true;
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e; // adopted concurrently: fine
        }
        break;
      case 'mark-pending':
        try {
          await deps.store.update(action.mapping);
        } catch (e) {
          // A sync saved the mapping meanwhile; the sync we enqueue below covers the change.
          if (!(e instanceof ConflictError)) throw e;
        }
        break;
      case 'enqueue':
        // Collapses repeated enqueues of one change within a poll minute; a new change
        // (new updateTime) or the next minute's poll (the window re-check) enqueues again.
        await deps.queue.enqueue(p.task(item.ref), {
          dedupKey: `${p.side}-${item.ref}-${item.updateTime.getTime()}-${pollKey}`,
        });
        break;
    }
  }
  return adopted;
}

export function pollGoogle(deps: TaskDeps): Promise<TaskOutcome> {
  return poll(deps, {
    side: 'google',
    windowMs: deps.settings.googlePollingWindowMs,
    lastPolled: (g) => g.google_last_polled_at,
    withPolled: (g, at) => ({
      google_last_polled_at: at,
      company_last_polled_at: g.company_last_polled_at,
    }),
    search: async (since, token) => {
      const page = await deps.support.searchUpdated(deps.settings.supportParent, since, token);
      return {
        items: page.items.map(observedCase),
        nextPageToken: page.nextPageToken,
      };
    },
    findMapping: (ref) => deps.store.findByGoogleCase(ref),
    findCounterpartMapping: (ref) => deps.store.findByCompanyCase(ref),
    task: (caseName) => ({ kind: 'sync-google-case', caseName }),
  });
}

export function pollCompany(deps: TaskDeps): Promise<TaskOutcome> {
  return poll(deps, {
    side: 'company',
    windowMs: deps.settings.companyPollingWindowMs,
    lastPolled: (g) => g.company_last_polled_at,
    withPolled: (g, at) => ({
      google_last_polled_at: g.google_last_polled_at,
      company_last_polled_at: at,
    }),
    search: async (since, token) => {
      const page = await deps.crm.searchUpdated(since, token);
      return {
        items: page.items.map(observedTicket),
        nextPageToken: page.nextPageToken,
      };
    },
    findMapping: (ref) => deps.store.findByCompanyCase(ref),
    findCounterpartMapping: (ref) => deps.store.findByGoogleCase(ref),
    task: (caseId) => ({ kind: 'sync-company-case', caseId }),
  });
}
