import { ConflictError } from '../domain/errors';
import type { CaseMapping } from '../domain/mapping';
import { planClosure, planPriority } from '../domain/plan-fields';
import { planAttachments, planComments } from '../domain/plan-items';
import {
  caseInScope,
  commentsSince,
  needsLinkNotice,
  planSyncedMapping,
} from '../domain/plan-link';
import { observedCase, observedTicket, planPolledItem, type Observed } from '../domain/plan-poll';
import { attachmentWouldWrite, commentWouldWrite, fieldWouldWrite } from '../domain/dry-run';
import { dryRunOf } from './dry-run';
import { errorName, LEASE_TTL_MS, type TaskDeps, type TaskOutcome } from './deps';
import { announceLink, ensureLinked } from './link-pair';
import { applyAttachment, applyComment, applyField } from './mirror-items';

/**
 * Syncs one pair both ways under a per-pair lease: creation (linking to an existing
 * counterpart first), comments, attachments, priority, closure. Writes nothing when nothing
 * changed. Every mirrored item is recorded in the store right after its write; a copy found
 * on the target without a record (crash in between) is recorded, not written again. The
 * decisions are the domain planners'; this file reads, asks them, and applies. With
 * DRY_RUN, each write is said once instead (dry-run.ts) and the mapping is kept as it was
 * while any write is pending, so that a live run later plans the same writes.
 */
export async function syncPair(deps: TaskDeps, mappingId: string): Promise<TaskOutcome> {
  const holder = deps.newId();
  const leaseKey = `mapping:${mappingId}`;
  if (!(await deps.store.acquireLease(leaseKey, holder, deps.clock.now(), LEASE_TTL_MS))) {
    throw new ConflictError('pair is being synced by another worker');
  }
  try {
    return await syncLocked(deps, mappingId);
  } finally {
    await deps.store.releaseLease(leaseKey, holder).catch((e: unknown) => {
      deps.log.warn({ mappingId, error: errorName(e) }, 'lease release failed');
    });
  }
}

async function syncLocked(deps: TaskDeps, mappingId: string): Promise<TaskOutcome> {
  const startedAt = deps.clock.now();
  const stored = await deps.store.get(mappingId);
  if (!stored) return { outcome: 'dropped', reason: 'mapping-gone' };
  if (stored.resolvedAt) return { outcome: 'skipped', reason: 'resolved' };

  const linked = await ensureLinked(deps, stored);
  if ('outcome' in linked) return linked;
  const { mapping, gcase, ticket } = linked;
  const s = deps.settings;

  let records = await deps.store.listMirroredItems(mapping.id);
  const scope = { task: 'sync', mappingId: mapping.id, caseName: gcase.name, issueId: ticket.id };
  const dry = dryRunOf(deps, scope, records);
  if (needsLinkNotice(records)) {
    await announceLink(deps, mapping, gcase.name, ticket.key, dry);
    records = await deps.store.listMirroredItems(mapping.id);
  }
  const counts = { comments: 0, attachments: 0, fields: 0 };
  /** Items a read-only target refused for good (logged, recorded, never retried). */
  let dropped = 0;
  const [gComments, cComments] = await Promise.all([
    deps.support.listComments(
      gcase.name,
      commentsSince(mapping.googleUpdatesSyncedAt, s.googlePollingWindowMs),
    ),
    deps.crm.listComments(
      ticket.id,
      commentsSince(mapping.companyUpdatesSyncedAt, s.companyPollingWindowMs),
    ),
  ]);
  const comments = planComments({
    google: gComments,
    company: cComments,
    records,
    commentsToGoogle: s.commentsToGoogle,
  });
  for (const a of comments) {
    if (await dry?.sayInstead(commentWouldWrite(a))) continue;
    if ((await applyComment(deps, mapping, gcase, ticket, a, startedAt)) === 'dropped')
      dropped += 1;
    else if (a.kind === 'mirror-comment') counts.comments += 1;
  }

  const [gAtt, cAtt, limit] = await Promise.all([
    deps.support.listAttachments(gcase.name),
    deps.crm.listAttachments(ticket.id),
    deps.crm.uploadLimitBytes(),
  ]);
  const attachments = planAttachments({
    google: gAtt,
    company: cAtt,
    records,
    companyUploadLimitBytes: limit,
  });
  for (const a of attachments) {
    if (await dry?.sayInstead(attachmentWouldWrite(a))) continue;
    if ((await applyAttachment(deps, mapping, gcase, ticket, a, startedAt)) === 'dropped')
      dropped += 1;
    else if (a.kind !== 'record-attachment') counts.attachments += 1;
  }

  const gState = { priority: gcase.priority, closed: gcase.closed, updateTime: gcase.updateTime };
  const cState = {
    priority: ticket.priority,
    closed: ticket.closed,
    updateTime: ticket.updateTime,
  };
  const prio = planPriority(mapping.priority, gState, cState);
  const closure = planClosure(gState, cState, startedAt);
  for (const a of [...prio.actions, ...closure.actions]) {
    if (await dry?.sayInstead(fieldWouldWrite(a))) continue;
    await applyField(deps, gcase, ticket, a);
    counts.fields += 1;
  }

  const mirrored = counts.comments + counts.attachments + counts.fields;
  const after = planSyncedMapping(mapping, {
    ticketKey: ticket.key,
    agreedPriority: prio.agreed,
    resolvedAt: closure.resolvedAt,
    mirrored,
    startedAt,
  });
  // A dry run that said writes keeps the mapping as it was (sync times, agreed priority,
  // resolution), so that the pair is planned the same way once DRY_RUN is off.
  const wouldWrite = dry?.planned ?? 0;
  if (after.save && wouldWrite === 0) await deps.store.update(after.next);
  deps.log.info(
    {
      task: 'sync',
      mappingId: mapping.id,
      caseName: gcase.name,
      issueId: ticket.id,
      pairs: 1,
      mirrored,
      ...counts,
      ...(dropped > 0 ? { dropped } : {}),
      failures: 0,
      ...(dry ? { dryRun: true, wouldWrite } : {}),
    },
    'pair synced',
  );
  return {
    outcome: 'done',
    ...counts,
    ...(dropped > 0 ? { dropped } : {}),
    ...(dry ? { wouldWrite } : {}),
  };
}

/** POST /tasks/sync-google-case: finds (or adopts) the pair of a Google case, then syncs it. */
export async function syncGoogleCase(deps: TaskDeps, caseName: string): Promise<TaskOutcome> {
  if (!caseInScope(caseName, deps.settings)) {
    deps.log.error({ caseName }, 'case outside SUPPORT_PARENT dropped');
    return { outcome: 'dropped', reason: 'case-outside-parent' };
  }
  let mapping = await deps.store.findByGoogleCase(caseName);
  if (!mapping) {
    const gcase = await deps.support.get(caseName);
    if (!gcase) return { outcome: 'dropped', reason: 'google-case-not-found' };
    mapping = await adopt(deps, observedCase(gcase), () => deps.store.findByGoogleCase(caseName));
    if (!mapping) return { outcome: 'skipped', reason: 'not-adoptable' };
  }
  return syncPair(deps, mapping.id);
}

/** POST /tasks/sync-company-case: finds (or adopts) the pair of a Jira ticket, then syncs it. */
export async function syncCompanyCase(deps: TaskDeps, caseId: string): Promise<TaskOutcome> {
  let mapping = await deps.store.findByCompanyCase(caseId);
  if (!mapping) {
    const t = await deps.crm.get(caseId);
    if (!t) return { outcome: 'dropped', reason: 'ticket-not-found' };
    if (t.googleCaseName && (await deps.store.findByGoogleCase(t.googleCaseName)))
      return { outcome: 'skipped', reason: 'counterpart-mapped' };
    mapping = await adopt(deps, observedTicket(t), () => deps.store.findByCompanyCase(caseId));
    if (!mapping) return { outcome: 'skipped', reason: 'not-adoptable' };
  }
  return syncPair(deps, mapping.id);
}

async function adopt(
  deps: TaskDeps,
  item: Observed,
  reread: () => Promise<CaseMapping | null>,
): Promise<CaseMapping | null> {
  const plan = planPolledItem(item, null, deps.clock.now());
  const adoptAction = plan.find((a) => a.kind === 'adopt');
  if (!adoptAction || adoptAction.kind !== 'adopt') return null;
  try {
    return await deps.store.insert(adoptAction.mapping);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    return reread();
  }
}
