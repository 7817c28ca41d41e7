import type { CaseMapping } from '../domain/mapping';
import { planOutage } from '../domain/plan-outages';
import { errorName, LEASE_TTL_MS, type TaskDeps, type TaskOutcome } from './deps';

/**
 * DetectOutages: for each open pair, post an outage notice once per side when a side has
 * not synced within the latency tolerance, and "Syncing has resumed." once per notified
 * side when it recovers. A side that cannot be reached is retried at the next run.
 * Reports `outages` so that the route answers 500 while any outage lasts.
 */
export async function detectOutages(deps: TaskDeps): Promise<TaskOutcome & { outages: number }> {
  const global = await deps.store.getGlobal();
  let outages = 0;
  let notices = 0;
  let failures = 0;
  let token: string | undefined;
  do {
    const page = await deps.store.listOpen(token);
    for (const m of page.items) {
      const plan = planOutage(m, global, deps.clock.now());
      if (plan.outage) outages += 1;
      if (plan.actions.length === 0) continue;
      const r = await notify(deps, m, plan.actions);
      notices += r.sent;
      failures += r.failed;
    }
    token = page.nextPageToken;
  } while (token);
  deps.log[outages > 0 ? 'error' : 'info']({ outages, notices, failures }, 'outage detection done');
  return { outcome: 'done', outages, notices, failures };
}

async function notify(deps: TaskDeps, m: CaseMapping, actions: ReturnType<typeof planOutage>['actions']): Promise<{ sent: number; failed: number }> {
  const holder = deps.newId();
  const key = `mapping:${m.id}`;
  if (!(await deps.store.acquireLease(key, holder, deps.clock.now(), LEASE_TTL_MS))) return { sent: 0, failed: 0 };
  let sent = 0;
  let failed = 0;
  try {
    let current = await deps.store.get(m.id);
    for (const a of actions) {
      if (!current) break;
      const flag = a.on === 'google' ? 'outageCommentSentToGoogle' : 'outageCommentSentToCompany';
      const want = a.notice === 'outage';
      if (current[flag] === want) continue; // changed since the plan was made
      try {
        const written =
          a.on === 'google'
            ? await deps.support.addComment(current.googleCaseName as string, a.text)
            : await deps.crm.addComment(current.companyCaseID as string, a.text, { visibility: 'internal' });
        await deps.store.recordMirroredItem({
          mappingId: m.id,
          kind: 'notice',
          sourceSide: a.on,
          sourceId: `${a.notice}:${written.id}`,
          targetIds: [written.id],
          createdAt: deps.clock.now(),
        });
        current = await deps.store.update({ ...current, [flag]: want });
        sent += 1;
        deps.log.warn({ mappingId: m.id, side: a.on, notice: a.notice }, 'outage notice posted');
      } catch (e) {
        failed += 1;
        deps.log.warn({ mappingId: m.id, side: a.on, notice: a.notice, error: errorName(e) }, 'outage notice not posted');
      }
    }
  } finally {
    await deps.store.releaseLease(key, holder).catch(() => undefined);
  }
  return { sent, failed };
}
