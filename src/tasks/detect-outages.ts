import type { CaseMapping } from '../domain/mapping';
import {
  needsRecords,
  planOutage,
  RESUMED_NOTICE,
  type OutageAction,
} from '../domain/plan-outages';
import { errorName, LEASE_TTL_MS, type TaskDeps, type TaskOutcome } from './deps';

/**
 * DetectOutages: for each open pair, post an outage notice once per side when a side has
 * not synced within the latency tolerance, and "Syncing has resumed." once per side when it
 * recovers. A side that cannot be reached is retried at the next run. Reports `outages` so
 * that the route answers 500 while any outage lasts.
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
      const r = await handle(deps, m, global);
      notices += r.sent;
      failures += r.failed;
    }
    token = page.nextPageToken;
  } while (token);
  deps.log[outages > 0 ? 'error' : 'info']({ outages, notices, failures }, 'outage detection done');
  return { outcome: 'done', outages, notices, failures };
}

/** Under the pair's lease: re-reads it, re-plans with its notice records, applies. */
async function handle(
  deps: TaskDeps,
  m: CaseMapping,
  global: Awaited<ReturnType<TaskDeps['store']['getGlobal']>>,
): Promise<{ sent: number; failed: number }> {
  const holder = deps.newId();
  const key = `mapping:${m.id}`;
  if (!(await deps.store.acquireLease(key, holder, deps.clock.now(), LEASE_TTL_MS)))
    return { sent: 0, failed: 0 };
  let sent = 0;
  let failed = 0;
  try {
    let current = await deps.store.get(m.id);
    if (!current) return { sent, failed };
    const records = needsRecords(current) ? await deps.store.listMirroredItems(current.id) : [];
    const plan = planOutage(current, global, deps.clock.now(), records);
    for (const a of plan.actions) {
      const r = await apply(deps, current, a);
      if (r === 'failed') {
        failed += 1;
        if (a.kind === 'notify' && a.notice === 'resumed') break; // end the outage only once every side was told
        continue;
      }
      if (a.kind === 'notify') sent += 1;
      current = r;
    }
  } finally {
    await deps.store.releaseLease(key, holder).catch(() => undefined);
  }
  return { sent, failed };
}

async function apply(
  deps: TaskDeps,
  m: CaseMapping,
  a: OutageAction,
): Promise<CaseMapping | 'failed'> {
  if (a.kind === 'mark-outage') return deps.store.update({ ...m, outageDetectedAt: a.at });
  if (a.kind === 'end-outage') {
    return deps.store.update({
      ...m,
      outageDetectedAt: null,
      outageCommentSentToGoogle: false,
      outageCommentSentToCompany: false,
    });
  }
  try {
    const written =
      a.on === 'google'
        ? await deps.support.addComment(m.googleCaseName as string, a.text)
        : await deps.crm.addComment(m.companyCaseID as string, a.text, { visibility: 'internal' });
    await deps.store.recordMirroredItem({
      mappingId: m.id,
      kind: 'notice',
      sourceSide: a.on,
      sourceId: `${a.notice === 'resumed' ? RESUMED_NOTICE : 'outage:'}${written.id}`,
      targetIds: [written.id],
      createdAt: deps.clock.now(),
    });
    deps.log.warn({ mappingId: m.id, side: a.on, notice: a.notice }, 'outage notice posted');
    const flag = a.on === 'google' ? 'outageCommentSentToGoogle' : 'outageCommentSentToCompany';
    return a.notice === 'outage' ? deps.store.update({ ...m, [flag]: true }) : m;
  } catch (e) {
    deps.log.warn(
      { mappingId: m.id, side: a.on, notice: a.notice, error: errorName(e) },
      'outage notice not posted',
    );
    return 'failed';
  }
}
