import type { CaseMapping } from '../domain/mapping';
import { planOutage } from '../domain/plan-outages';
import { LEASE_TTL_MS, type TaskDeps, type TaskOutcome } from './deps';
import { postOutageNotices } from './outage-notices';

/** A busy pair's notice task is queued at most once per state and detect-outages period (cron.yaml: 5 min). */
const NOTICE_TASK_BUCKET_MS = 5 * 60 * 1000;

export type OutageReport = TaskOutcome & {
  readonly outages: number;
  readonly notices: number;
  readonly failures: number;
  /** Pairs whose lease was held: their notices went to a queued post-outage-notices task. */
  readonly skipped: number;
};

/**
 * DetectOutages: for each open pair, post an outage notice once per side when a side has
 * not synced within the latency tolerance, and "Syncing has resumed." once per side when it
 * recovers. A pair whose lease is held (a sync of it is running) is never dropped: its
 * notices go to a queued task of their own, which the queue retries until the lease is
 * free. Reports `outages` so that the route answers 500 while any outage lasts.
 */
export async function detectOutages(deps: TaskDeps): Promise<OutageReport> {
  const global = await deps.store.getGlobal();
  const now = deps.clock.now();
  let pairs = 0;
  let outages = 0;
  let notices = 0;
  let failures = 0;
  let skipped = 0;
  let token: string | undefined;
  do {
    const page = await deps.store.listOpen(token);
    for (const m of page.items) {
      pairs += 1;
      const plan = planOutage(m, global, now);
      if (plan.outage) outages += 1;
      if (plan.actions.length === 0) continue;
      const holder = deps.newId();
      const key = `mapping:${m.id}`;
      if (!(await deps.store.acquireLease(key, holder, deps.clock.now(), LEASE_TTL_MS))) {
        skipped += 1;
        await queueNotices(deps, m, now);
        continue;
      }
      try {
        const r = await postOutageNotices(deps, m.id, global);
        notices += r.sent;
        failures += r.failed;
      } finally {
        await deps.store.releaseLease(key, holder).catch(() => undefined);
      }
    }
    token = page.nextPageToken;
  } while (token);
  deps.log[outages > 0 ? 'error' : 'info'](
    { task: 'detect-outages', pairs, outages, notices, mirrored: 0, failures, skipped },
    'outage detection done',
  );
  return { outcome: 'done', outages, notices, failures, skipped };
}

/** Queues the notices of a busy pair as their own task (retried while the lease is held). */
async function queueNotices(deps: TaskDeps, m: CaseMapping, now: Date): Promise<void> {
  // Once per state of the pair and period: cron's retries of this route add no task.
  const bucket = Math.floor(now.getTime() / NOTICE_TASK_BUCKET_MS);
  await deps.queue.enqueue(
    { kind: 'post-outage-notices', mappingId: m.id },
    { dedupKey: `notices-${m.id}-v${m.version}-${bucket}` },
  );
  deps.log.info({ mappingId: m.id }, 'pair busy: its notices are queued');
}
