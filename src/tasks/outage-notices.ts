import type { CaseMapping, Global } from '../domain/mapping';
import { outageWouldWrite } from '../domain/dry-run';
import {
  needsRecords,
  outageSince,
  planOutage,
  OUTAGE_NOTICE,
  RESUMED_NOTICE,
  type OutageAction,
} from '../domain/plan-outages';
import { ConflictError } from '../domain/errors';
import { errorName, LEASE_TTL_MS, type TaskDeps, type TaskOutcome } from './deps';
import { dryRunOf, type DryRunScope } from './dry-run';

export interface NoticeRun {
  /** The pair is in outage now. */
  readonly outage: boolean;
  readonly sent: number;
  readonly failed: number;
}

/**
 * POST /tasks/post-outage-notices: the notices of one pair that detect-outages found busy
 * (its lease held by a sync). Throws ConflictError while the lease is still held, so the
 * queue retries it with backoff until the pair is free; the plan is made afresh then.
 */
export async function postQueuedOutageNotices(
  deps: TaskDeps,
  mappingId: string,
): Promise<TaskOutcome> {
  const holder = deps.newId();
  const key = `mapping:${mappingId}`;
  if (!(await deps.store.acquireLease(key, holder, deps.clock.now(), LEASE_TTL_MS))) {
    throw new ConflictError('pair is being synced by another worker');
  }
  try {
    const r = await postOutageNotices(deps, mappingId);
    deps.log.info(
      {
        task: 'post-outage-notices',
        mappingId,
        pairs: 1,
        outage: r.outage,
        notices: r.sent,
        mirrored: 0,
        failures: r.failed,
      },
      'outage notices done',
    );
    return { outcome: 'done', outage: r.outage, notices: r.sent, failures: r.failed };
  } finally {
    await deps.store.releaseLease(key, holder).catch(() => undefined);
  }
}

/**
 * Plans and posts one pair's outage / resume notices (SPEC §3.4 texts, once per side). The
 * caller holds the pair's lease.
 */
export async function postOutageNotices(
  deps: TaskDeps,
  mappingId: string,
  known?: Global,
): Promise<NoticeRun> {
  const global = known ?? (await deps.store.getGlobal());
  let current = await deps.store.get(mappingId);
  if (!current) return { outage: false, sent: 0, failed: 0 };
  const dryRun = deps.settings.dryRun;
  const records =
    dryRun || needsRecords(current) ? await deps.store.listMirroredItems(current.id) : [];
  const plan = planOutage(current, global, deps.clock.now(), records);
  const dry = dryRunOf(deps, scopeOf(current), records);
  // A dry run only says the notices (once per outage: keyed by its start, or by when a
  // live run marked it) and changes nothing on the pair, so going live starts from the truth.
  const outageKey = current.outageDetectedAt ?? outageSince(current, global);
  let sent = 0;
  let failed = 0;
  for (const a of plan.actions) {
    if (dry) {
      await dry.sayInstead(outageWouldWrite(a, outageKey));
      continue;
    }
    const r = await apply(deps, current, a);
    if (r === 'failed') {
      failed += 1;
      if (a.kind === 'notify' && a.notice === 'resumed') break; // end the outage only once every side was told
      continue;
    }
    if (a.kind === 'notify') sent += 1;
    current = r;
  }
  return { outage: plan.outage, sent, failed };
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
      sourceId: `${a.notice === 'resumed' ? RESUMED_NOTICE : OUTAGE_NOTICE}${written.id}`,
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

function scopeOf(m: CaseMapping): DryRunScope {
  return {
    task: 'outage-notices',
    mappingId: m.id,
    caseName: m.googleCaseName,
    issueId: m.companyCaseID,
  };
}
