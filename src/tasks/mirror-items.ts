// Executes what plan-items and plan-fields decided for one pair: writes each mirror on the
// other side and records it in the store right after (the record is the authority). An
// item the target refuses for good (a read-only ticket) is logged, recorded as dropped (no
// target ids) and never tried again; the rest of the pair still syncs.
import { ReadOnlyTargetError, TooLargeError } from '../domain/errors';
import type { CaseMapping } from '../domain/mapping';
import type { FieldAction } from '../domain/plan-fields';
import { mirrorMark, other, type AttachmentAction, type CommentAction } from '../domain/plan-items';
import {
  attachmentNotMirroredText,
  mirroredIntoCompany,
  mirroredIntoGoogle,
} from '../domain/texts';
import type { Attachment, Comment, CrmTicket, Side, SupportCase } from '../domain/types';
import type { TaskDeps } from './deps';

/** What became of an item: written (or only recorded), or dropped for a read-only target. */
export type Applied = 'applied' | 'dropped';

/** Runs `write`; a read-only target drops the item for good: logged, recorded, not retried. */
async function unlessReadOnly(
  deps: TaskDeps,
  mapping: CaseMapping,
  item: { kind: 'comment' | 'attachment'; from: Side; sourceId: string },
  now: Date,
  write: () => Promise<void>,
): Promise<Applied> {
  try {
    await write();
    return 'applied';
  } catch (e) {
    if (!(e instanceof ReadOnlyTargetError)) throw e;
    deps.log.warn(
      {
        mappingId: mapping.id,
        item: item.kind,
        side: item.from,
        sourceId: item.sourceId,
        error: e.name,
        source: e.source,
      },
      'item dropped: the target is read-only',
    );
    await deps.store.recordMirroredItem({
      mappingId: mapping.id,
      kind: item.kind,
      sourceSide: item.from,
      sourceId: item.sourceId,
      targetIds: [],
      createdAt: now,
    });
    return 'dropped';
  }
}

export async function applyComment(
  deps: TaskDeps,
  mapping: CaseMapping,
  gcase: SupportCase,
  ticket: CrmTicket,
  a: CommentAction,
  now: Date,
): Promise<Applied> {
  if (a.kind === 'record-comment') {
    await deps.store.recordMirroredItem({
      mappingId: mapping.id,
      kind: 'comment',
      sourceSide: a.from,
      sourceId: a.sourceId,
      targetIds: a.targetIds,
      createdAt: now,
    });
    return 'applied';
  }
  const c = a.comment;
  return unlessReadOnly(deps, mapping, { kind: 'comment', from: a.from, sourceId: c.id }, now, () =>
    writeComment(deps, mapping, gcase, ticket, c, a.from, a.writtenPartIds, now),
  );
}

async function writeComment(
  deps: TaskDeps,
  mapping: CaseMapping,
  gcase: SupportCase,
  ticket: CrmTicket,
  c: Comment,
  from: Side,
  writtenPartIds: readonly string[] | undefined,
  now: Date,
): Promise<void> {
  let targetIds: string[];
  if (from === 'google') {
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
    targetIds = [...(writtenPartIds ?? [])];
    for (const part of mirroredIntoGoogle(c.id, c.author.displayName, c.body).slice(
      targetIds.length,
    )) {
      targetIds.push((await deps.support.addComment(gcase.name, part)).id);
    }
  }
  await deps.store.recordMirroredItem({
    mappingId: mapping.id,
    kind: 'comment',
    sourceSide: from,
    sourceId: c.id,
    targetIds,
    createdAt: now,
  });
}

export async function applyAttachment(
  deps: TaskDeps,
  mapping: CaseMapping,
  gcase: SupportCase,
  ticket: CrmTicket,
  a: AttachmentAction,
  now: Date,
): Promise<Applied> {
  if (a.kind === 'record-attachment') {
    await deps.store.recordMirroredItem({
      mappingId: mapping.id,
      kind: 'attachment',
      sourceSide: a.from,
      sourceId: a.sourceId,
      targetIds: a.targetIds,
      createdAt: now,
    });
    return 'applied';
  }
  const att = a.attachment;
  return unlessReadOnly(
    deps,
    mapping,
    { kind: 'attachment', from: a.from, sourceId: att.id },
    now,
    () => writeAttachment(deps, mapping, gcase, ticket, a, att, now),
  );
}

async function writeAttachment(
  deps: TaskDeps,
  mapping: CaseMapping,
  gcase: SupportCase,
  ticket: CrmTicket,
  a: Exclude<AttachmentAction, { kind: 'record-attachment' }>,
  att: Attachment,
  now: Date,
): Promise<void> {
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
        await tooLargeNotice(deps, mapping, a.from, gcase, ticket, att, e.limitBytes, now),
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
  limitBytes: number | undefined,
  now: Date,
): Promise<string> {
  const text = attachmentNotMirroredText({
    filename: att.filename,
    sizeBytes: att.sizeBytes,
    ...(limitBytes !== undefined ? { limitBytes } : {}),
    side: from,
    ...(deps.settings.crmName !== undefined ? { crm: deps.settings.crmName } : {}),
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

export async function applyField(
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
