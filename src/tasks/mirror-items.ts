// Executes what plan-items and plan-fields decided for one pair: writes each mirror on the
// other side and records it in the store right after (the record is the authority).
import { TooLargeError } from '../domain/errors';
import type { CaseMapping } from '../domain/mapping';
import type { FieldAction } from '../domain/plan-fields';
import { mirrorMark, other, type AttachmentAction, type CommentAction } from '../domain/plan-items';
import {
  attachmentNotMirroredText,
  mirroredIntoCompany,
  mirroredIntoGoogle,
} from '../domain/texts';
import type { Attachment, CrmTicket, Side, SupportCase } from '../domain/types';
import type { TaskDeps } from './deps';

export async function applyComment(
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

export async function applyAttachment(
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
