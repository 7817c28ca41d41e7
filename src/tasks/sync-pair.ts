import { ConflictError, SyncError, TooLargeError } from '../domain/errors';
import type { CaseMapping } from '../domain/mapping';
import { planClosure, planPriority, type FieldAction } from '../domain/plan-fields';
import {
  planAttachments,
  planComments,
  type AttachmentAction,
  type CommentAction,
} from '../domain/plan-items';
import { isUnderParent } from '../domain/sync-state';
import { isCaseMirroredFromCompany, planPolledItem, type Observed } from '../domain/plan-poll';
import {
  attachmentNotMirroredText,
  caseDescriptionFromCompany,
  companyMirrorDescriptionPrefix,
  mirroredIntoCompany,
  mirroredIntoGoogle,
  nowSyncingText,
  ticketDescriptionFromGoogle,
} from '../domain/texts';
import { mirrorMark, other } from '../domain/plan-items';
import type { Attachment, CrmTicket, Side, SupportCase } from '../domain/types';
import { errorName, LEASE_TTL_MS, SEARCH_LAG_MS, type TaskDeps, type TaskOutcome } from './deps';

/** sourceId of the recorded "now syncing" notice. */
const NOW_SYNCING = 'now-syncing';

interface Linked {
  mapping: CaseMapping;
  gcase: SupportCase;
  ticket: CrmTicket;
}

/**
 * Syncs one pair both ways under a per-pair lease: creation (linking to an existing
 * counterpart first), comments, attachments, priority, closure. Writes nothing when nothing
 * changed. Every mirrored item is recorded in the store right after its write; a copy found
 * on the target without a record (crash in between) is recorded, not written again.
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
  let mapping = await deps.store.get(mappingId);
  if (!mapping) return { outcome: 'dropped', reason: 'mapping-gone' };
  if (mapping.resolvedAt) return { outcome: 'skipped', reason: 'resolved' };

  const linked = await ensureLinked(deps, mapping);
  if ('outcome' in linked) return linked;
  mapping = linked.mapping;
  const { gcase, ticket } = linked;
  const before = mapping;

  const counts = { comments: 0, attachments: 0, fields: 0 };
  let records = await deps.store.listMirroredItems(mapping.id);
  // Announced here, not at creation: a failure right after linking must not lose it.
  if (!records.some((r) => r.kind === 'notice' && r.sourceId === NOW_SYNCING)) {
    await announceLink(deps, mapping, gcase.name, ticket.key);
    records = await deps.store.listMirroredItems(mapping.id);
  }
  const window = (at: Date | null, ms: number) => (at ? new Date(at.getTime() - ms) : undefined);
  const [gComments, cComments] = await Promise.all([
    deps.support.listComments(
      gcase.name,
      window(mapping.googleUpdatesSyncedAt, deps.settings.googlePollingWindowMs),
    ),
    deps.crm.listComments(
      ticket.id,
      window(mapping.companyUpdatesSyncedAt, deps.settings.companyPollingWindowMs),
    ),
  ]);
  const commentActions = planComments({
    google: gComments,
    company: cComments,
    records,
    commentsToGoogle: deps.settings.commentsToGoogle,
  });
  for (const a of commentActions) {
    await applyComment(deps, mapping, gcase, ticket, a, startedAt);
    if (a.kind === 'mirror-comment') counts.comments += 1;
  }

  const [gAtt, cAtt, limit] = await Promise.all([
    deps.support.listAttachments(gcase.name),
    deps.crm.listAttachments(ticket.id),
    deps.crm.uploadLimitBytes(),
  ]);
  for (const a of planAttachments({
    google: gAtt,
    company: cAtt,
    records,
    companyUploadLimitBytes: limit,
  })) {
    await applyAttachment(deps, mapping, gcase, ticket, a, startedAt);
    if (a.kind !== 'record-attachment') counts.attachments += 1;
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
    await applyField(deps, gcase, ticket, a);
    counts.fields += 1;
  }

  const mirrored = counts.comments + counts.attachments + counts.fields > 0;
  const next: CaseMapping = {
    ...mapping,
    priority: prio.agreed,
    resolvedAt: closure.resolvedAt,
    companyCaseKey: ticket.key,
    newContentAt: mirrored ? startedAt : mapping.newContentAt,
    googlePendingSince: null,
    companyPendingSince: null,
    googleUpdatesSyncedAt:
      mirrored || mapping.googlePendingSince || !mapping.googleUpdatesSyncedAt
        ? startedAt
        : mapping.googleUpdatesSyncedAt,
    companyUpdatesSyncedAt:
      mirrored || mapping.companyPendingSince || !mapping.companyUpdatesSyncedAt
        ? startedAt
        : mapping.companyUpdatesSyncedAt,
  };
  if (changed(before, next)) await deps.store.update(next);
  deps.log.info(
    {
      task: 'sync',
      mappingId: mapping.id,
      caseName: gcase.name,
      issueId: ticket.id,
      pairs: 1,
      mirrored: counts.comments + counts.attachments + counts.fields,
      ...counts,
      failures: 0,
    },
    'pair synced',
  );
  return { outcome: 'done', ...counts };
}

function changed(a: CaseMapping, b: CaseMapping): boolean {
  const keys = Object.keys(b) as (keyof CaseMapping)[];
  return keys.some((k) => {
    const x = a[k];
    const y = b[k];
    if (x instanceof Date && y instanceof Date) return x.getTime() !== y.getTime();
    return x !== y;
  });
}

/** Makes sure both sides exist, creating the missing one at most once. */
async function ensureLinked(deps: TaskDeps, m: CaseMapping): Promise<Linked | TaskOutcome> {
  let mapping = m;
  let gcase: SupportCase | null = null;
  let ticket: CrmTicket | null = null;
  if (mapping.googleCaseName) {
    if (
      !isUnderParent(mapping.googleCaseName, deps.settings.supportParent) &&
      !isUnderParent(mapping.googleCaseName, deps.settings.supportCaseParent)
    ) {
      deps.log.error(
        { mappingId: mapping.id, caseName: mapping.googleCaseName },
        'case outside SUPPORT_PARENT dropped',
      );
      return { outcome: 'dropped', reason: 'case-outside-parent' };
    }
    gcase = await deps.support.get(mapping.googleCaseName);
    if (!gcase) {
      deps.log.error(
        { mappingId: mapping.id, caseName: mapping.googleCaseName },
        'google case not found; sync dropped',
      );
      return { outcome: 'dropped', reason: 'google-case-not-found' };
    }
  }
  if (mapping.companyCaseID) {
    ticket = await deps.crm.get(mapping.companyCaseID);
    if (!ticket) {
      deps.log.error(
        { mappingId: mapping.id, issueId: mapping.companyCaseID },
        'jira ticket gone; pair resolved',
      );
      await deps.store.update({ ...mapping, resolvedAt: deps.clock.now() });
      return { outcome: 'dropped', reason: 'ticket-not-found' };
    }
  }
  if (gcase && !ticket) {
    const r = await createTicket(deps, mapping, gcase);
    if ('outcome' in r) return r;
    ({ mapping, ticket } = r);
  } else if (ticket && !gcase) {
    const r = await createCase(deps, mapping, ticket);
    if ('outcome' in r) return r;
    ({ mapping, gcase } = r);
  }
  if (!gcase || !ticket) return { outcome: 'dropped', reason: 'empty-mapping' };
  return { mapping, gcase, ticket };
}

async function createTicket(
  deps: TaskDeps,
  m: CaseMapping,
  gcase: SupportCase,
): Promise<{ mapping: CaseMapping; ticket: CrmTicket } | TaskOutcome> {
  let mapping = m;
  const now = deps.clock.now();
  let ticket = await deps.crm.findByGoogleCase(gcase.name);
  if (
    !ticket &&
    mapping.counterpartCreationStartedAt &&
    now.getTime() - mapping.counterpartCreationStartedAt.getTime() < SEARCH_LAG_MS
  ) {
    // A previous attempt may have created it; Jira search may not show it yet.
    throw new SyncError(
      'retry',
      'waiting for Jira search to show a ticket created by an earlier attempt',
      { source: 'jira' },
    );
  }
  if (!ticket) {
    mapping = await deps.store.update({ ...mapping, counterpartCreationStartedAt: now });
    ticket = await deps.crm.create({
      summary: gcase.displayName,
      description: ticketDescriptionFromGoogle(gcase.description),
      priority: gcase.priority ?? mapping.priority,
      googleCaseName: gcase.name,
    });
    deps.log.info(
      { mappingId: mapping.id, caseName: gcase.name, issueId: ticket.id },
      'jira ticket created',
    );
  }
  mapping = await deps.store.update({
    ...mapping,
    companyCaseID: ticket.id,
    companyCaseKey: ticket.key,
    googleUpdatesSyncedAt: mapping.googleUpdatesSyncedAt ?? now,
    priority: gcase.priority ?? mapping.priority,
  });
  return { mapping, ticket };
}

async function createCase(
  deps: TaskDeps,
  m: CaseMapping,
  ticket: CrmTicket,
): Promise<{ mapping: CaseMapping; gcase: SupportCase } | TaskOutcome> {
  let mapping = m;
  const s = deps.settings;
  const now = deps.clock.now();
  let gcase: SupportCase | null = null;
  if (ticket.googleCaseName) gcase = await deps.support.get(ticket.googleCaseName);
  if (!gcase && mapping.counterpartCreationStartedAt) {
    const since = new Date(mapping.counterpartCreationStartedAt.getTime() - SEARCH_LAG_MS);
    gcase = await deps.support.findByDescriptionPrefix(
      s.supportCaseParent,
      companyMirrorDescriptionPrefix(ticket.key),
      since,
    );
  }
  if (!gcase) {
    if (!s.supportClassificationId) {
      deps.log.error(
        { mappingId: mapping.id, issueId: ticket.id },
        'SUPPORT_CLASSIFICATION_ID unset: cannot open a Google case; dropped',
      );
      return { outcome: 'dropped', reason: 'no-classification' };
    }
    mapping = await deps.store.update({ ...mapping, counterpartCreationStartedAt: now });
    gcase = await deps.support.create({
      parent: s.supportCaseParent,
      displayName: ticket.summary,
      description: caseDescriptionFromCompany(ticket.key, ticket.description),
      priority: ticket.priority ?? mapping.priority,
      classificationId: s.supportClassificationId,
      testCase: s.supportTestCases,
    });
    deps.log.info(
      { mappingId: mapping.id, caseName: gcase.name, issueId: ticket.id },
      'google case created',
    );
  }
  if (ticket.googleCaseName !== gcase.name) await deps.crm.linkGoogleCase(ticket.id, gcase.name);
  mapping = await deps.store.update({
    ...mapping,
    googleCaseName: gcase.name,
    companyCaseKey: ticket.key,
    companyUpdatesSyncedAt: mapping.companyUpdatesSyncedAt ?? now,
    priority: ticket.priority ?? mapping.priority,
  });
  return { mapping, gcase };
}

/** "This case is now syncing with Company Case: KEY" on the Google case, once. */
async function announceLink(
  deps: TaskDeps,
  mapping: CaseMapping,
  caseName: string,
  issueKey: string,
): Promise<void> {
  const text = nowSyncingText(issueKey);
  const existing = (await deps.support.listComments(caseName)).find(
    (c) => !c.author.isGoogleSupport && c.body.trim() === text,
  );
  const comment = existing ?? (await deps.support.addComment(caseName, text));
  await deps.store.recordMirroredItem({
    mappingId: mapping.id,
    kind: 'notice',
    sourceSide: 'google',
    sourceId: NOW_SYNCING,
    targetIds: [comment.id],
    createdAt: deps.clock.now(),
  });
}

async function applyComment(
  deps: TaskDeps,
  mapping: CaseMapping,
  gcase: SupportCase,
  ticket: CrmTicket,
  a: CommentAction,
  now: Date,
): Promise<void> {
  if (a.kind === 'record-comment') {
    await deps.store.recordMirroredItem({
      mappingId: mapping.id,
      kind: 'comment',
      sourceSide: a.from,
      sourceId: a.sourceId,
      targetIds: a.targetIds,
      createdAt: now,
    });
    return;
  }
  const c = a.comment;
  let targetIds: string[];
  if (a.from === 'google') {
    const written = await deps.crm.addComment(
      ticket.id,
      mirroredIntoCompany(c.id, c.author.displayName, c.body),
      {
        visibility: deps.settings.googleCommentsVisibility,
        mirrorOf: mirrorMark('google', c.id),
      },
    );
    targetIds = [written.id];
  } else {
    // Parts already written before a crash are kept; only the missing ones are written.
    targetIds = [...(a.writtenPartIds ?? [])];
    for (const part of mirroredIntoGoogle(c.id, c.author.displayName, c.body).slice(
      targetIds.length,
    )) {
      targetIds.push((await deps.support.addComment(gcase.name, part)).id);
    }
  }
  await deps.store.recordMirroredItem({
    mappingId: mapping.id,
    kind: 'comment',
    sourceSide: a.from,
    sourceId: c.id,
    targetIds,
    createdAt: now,
  });
}

async function applyAttachment(
  deps: TaskDeps,
  mapping: CaseMapping,
  gcase: SupportCase,
  ticket: CrmTicket,
  a: AttachmentAction,
  now: Date,
): Promise<void> {
  if (a.kind === 'record-attachment') {
    await deps.store.recordMirroredItem({
      mappingId: mapping.id,
      kind: 'attachment',
      sourceSide: a.from,
      sourceId: a.sourceId,
      targetIds: a.targetIds,
      createdAt: now,
    });
    return;
  }
  const att = a.attachment;
  let targetIds: string[];
  if (a.kind === 'attachment-too-large') {
    targetIds = [
      await tooLargeNotice(deps, mapping, a.from, gcase, ticket, att, a.limitBytes, now),
    ];
  } else {
    try {
      const content =
        a.from === 'google'
          ? await deps.support.download(gcase.name, att.id)
          : await deps.crm.download(ticket.id, att.id);
      const file = {
        filename: att.filename,
        mimeType: att.mimeType,
        sizeBytes: att.sizeBytes,
        content,
      };
      const written =
        a.from === 'google'
          ? await deps.crm.upload(ticket.id, file)
          : await deps.support.upload(gcase.name, file);
      targetIds = [written.id];
    } catch (e) {
      if (!(e instanceof TooLargeError)) throw e;
      targetIds = [
        await tooLargeNotice(deps, mapping, a.from, gcase, ticket, att, e.limitBytes ?? 0, now),
      ];
    }
  }
  await deps.store.recordMirroredItem({
    mappingId: mapping.id,
    kind: 'attachment',
    sourceSide: a.from,
    sourceId: att.id,
    targetIds,
    createdAt: now,
  });
}

/** Writes the "attachment not mirrored" comment on the target side and records it as a notice (never mirrored back). */
async function tooLargeNotice(
  deps: TaskDeps,
  mapping: CaseMapping,
  from: Side,
  gcase: SupportCase,
  ticket: CrmTicket,
  att: Attachment,
  limitBytes: number,
  now: Date,
): Promise<string> {
  const text = attachmentNotMirroredText({
    filename: att.filename,
    sizeBytes: att.sizeBytes,
    limitBytes,
    side: from,
  });
  const written =
    from === 'google'
      ? await deps.crm.addComment(ticket.id, text, {
          visibility: deps.settings.googleCommentsVisibility,
          mirrorOf: mirrorMark('google', `attachment-${att.id}`),
        })
      : await deps.support.addComment(gcase.name, text);
  await deps.store.recordMirroredItem({
    mappingId: mapping.id,
    kind: 'notice',
    sourceSide: other(from),
    sourceId: `too-large:${att.id}`,
    targetIds: [written.id],
    createdAt: now,
  });
  return written.id;
}

async function applyField(
  deps: TaskDeps,
  gcase: SupportCase,
  ticket: CrmTicket,
  a: FieldAction,
): Promise<void> {
  if (a.kind === 'set-priority') {
    if (a.on === 'google') await deps.support.setPriority(gcase.name, a.priority);
    else await deps.crm.setPriority(ticket.id, a.priority);
  } else if (a.on === 'google') await deps.support.close(gcase.name);
  else await deps.crm.close(ticket.id);
}

/** POST /tasks/sync-google-case: finds (or adopts) the pair of a Google case, then syncs it. */
export async function syncGoogleCase(deps: TaskDeps, caseName: string): Promise<TaskOutcome> {
  if (
    !isUnderParent(caseName, deps.settings.supportParent) &&
    !isUnderParent(caseName, deps.settings.supportCaseParent)
  ) {
    deps.log.error({ caseName }, 'case outside SUPPORT_PARENT dropped');
    return { outcome: 'dropped', reason: 'case-outside-parent' };
  }
  let mapping = await deps.store.findByGoogleCase(caseName);
  if (!mapping) {
    const gcase = await deps.support.get(caseName);
    if (!gcase) return { outcome: 'dropped', reason: 'google-case-not-found' };
    mapping = await adopt(
      deps,
      {
        side: 'google',
        ref: gcase.name,
        priority: gcase.priority,
        closed: gcase.closed,
        createTime: gcase.createTime,
        updateTime: gcase.updateTime,
        isMirror: isCaseMirroredFromCompany(gcase.description),
      },
      () => deps.store.findByGoogleCase(caseName),
    );
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
    mapping = await adopt(
      deps,
      {
        side: 'company',
        ref: t.id,
        key: t.key,
        priority: t.priority,
        closed: t.closed,
        createTime: t.createTime,
        updateTime: t.updateTime,
        counterpart: t.googleCaseName,
        isMirror: t.googleCaseName !== null,
      },
      () => deps.store.findByCompanyCase(caseId),
    );
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
