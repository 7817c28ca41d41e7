import type { MirroredItem } from './mapping';
import type { Attachment, Comment, Side } from './types';
import { isAttachmentNotMirroredText, isConnectorNotice, parseMirrorHeader } from './texts';

/** Marker stored with a Jira comment (comment property) that mirrors a Google comment. */
export function mirrorMark(side: Side, id: string): string {
  return `${side}:${id}`;
}

export type CommentAction =
  /** Copy `comment` from `from` to the other side. */
  | {
      readonly kind: 'mirror-comment';
      readonly from: Side;
      readonly comment: Comment;
      /** Ids of the leading parts (1…k) of a split comment already written before a crash. */
      readonly writtenPartIds?: readonly string[];
    }
  /** The copy exists already (written before a crash): only record it. */
  | {
      readonly kind: 'record-comment';
      readonly from: Side;
      readonly sourceId: string;
      readonly targetIds: string[];
    };

export type AttachmentAction =
  | { readonly kind: 'mirror-attachment'; readonly from: Side; readonly attachment: Attachment }
  | {
      readonly kind: 'record-attachment';
      readonly from: Side;
      readonly sourceId: string;
      readonly targetIds: string[];
    }
  /** Too large for the target: write a comment naming it instead. */
  | {
      readonly kind: 'attachment-too-large';
      readonly from: Side;
      readonly attachment: Attachment;
      readonly limitBytes: number;
    };

function recordedIds(records: readonly MirroredItem[], kinds: MirroredItem['kind'][]) {
  const sources = new Set<string>();
  const targets = new Set<string>();
  for (const r of records) {
    if (!kinds.includes(r.kind)) continue;
    sources.add(mirrorMark(r.sourceSide, r.sourceId));
    // Items the connector wrote live on the side opposite to their source (notices: on sourceSide).
    const targetSide: Side = r.kind === 'notice' ? r.sourceSide : other(r.sourceSide);
    for (const t of r.targetIds) targets.add(mirrorMark(targetSide, t));
  }
  return { sources, targets };
}

export function other(side: Side): Side {
  return side === 'google' ? 'company' : 'google';
}

function byCreation<T extends { createTime: Date; id: string }>(a: T, b: T): number {
  const d = a.createTime.getTime() - b.createTime.getTime();
  if (d !== 0) return d;
  const na = Number(a.id);
  const nb = Number(b.id);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.id.localeCompare(b.id);
}

/** True when the connector wrote this comment (a mirror or a notice), whatever the store says. */
export function writtenByConnector(side: Side, c: Comment): boolean {
  if (c.author.isConnector) return true;
  if (side === 'company') return c.mirrorOf !== undefined;
  // Google: the connector's comments are never from Google support, and carry our header or a notice text.
  if (c.author.isGoogleSupport) return false;
  return (
    parseMirrorHeader(c.body)?.side === 'company' ||
    isConnectorNotice(c.body) ||
    isAttachmentNotMirroredText(c.body)
  );
}

/**
 * Which comments to mirror, in creation order, on both directions. A comment is mirrored
 * once: the store's records are authoritative; a copy found on the target (Jira comment
 * property, or our header on a Google comment) but not recorded is only recorded (crash
 * between the write and its record). Comments the connector wrote are never mirrored back.
 */
export function planComments(args: {
  google: readonly Comment[];
  company: readonly Comment[];
  records: readonly MirroredItem[];
  commentsToGoogle: 'all' | 'public';
}): CommentAction[] {
  const { sources, targets } = recordedIds(args.records, ['comment', 'notice']);
  const actions: CommentAction[] = [];

  // Copies already on the target side, by source mark.
  const copiesOnCompany = new Map<string, string[]>();
  for (const c of args.company) {
    if (c.mirrorOf)
      copiesOnCompany.set(c.mirrorOf, [...(copiesOnCompany.get(c.mirrorOf) ?? []), c.id]);
  }
  const copiesOnGoogle = new Map<string, string[]>();
  // Split comments: part index → id, and the announced number of parts, per source mark.
  const partsOnGoogle = new Map<string, { total: number; ids: Map<number, string> }>();
  for (const c of args.google) {
    if (c.author.isGoogleSupport) continue;
    const h = parseMirrorHeader(c.body);
    if (h?.side !== 'company') continue;
    const mark = mirrorMark('company', h.commentId);
    copiesOnGoogle.set(mark, [...(copiesOnGoogle.get(mark) ?? []), c.id]);
    if (h.part) {
      const parts = partsOnGoogle.get(mark) ?? {
        total: h.part.total,
        ids: new Map<number, string>(),
      };
      if (!parts.ids.has(h.part.index)) parts.ids.set(h.part.index, c.id);
      partsOnGoogle.set(mark, parts);
    }
  }
  /** A split copy missing some parts (a crash between parts): the leading parts written. */
  const incompleteParts = (mark: string): string[] | null => {
    const parts = partsOnGoogle.get(mark);
    if (!parts || parts.ids.size >= parts.total) return null;
    const written: string[] = [];
    for (let i = 1; parts.ids.has(i); i += 1) written.push(parts.ids.get(i) as string);
    return written;
  };

  for (const c of [...args.google].sort(byCreation)) {
    const mark = mirrorMark('google', c.id);
    if (sources.has(mark) || targets.has(mark) || writtenByConnector('google', c)) continue;
    const copies = copiesOnCompany.get(mark);
    actions.push(
      copies
        ? { kind: 'record-comment', from: 'google', sourceId: c.id, targetIds: copies }
        : { kind: 'mirror-comment', from: 'google', comment: c },
    );
  }
  for (const c of [...args.company].sort(byCreation)) {
    const mark = mirrorMark('company', c.id);
    if (sources.has(mark) || targets.has(mark) || writtenByConnector('company', c)) continue;
    if (args.commentsToGoogle === 'public' && !c.isPublic) continue;
    const copies = copiesOnGoogle.get(mark);
    const partial = copies ? incompleteParts(mark) : null;
    if (partial)
      actions.push({
        kind: 'mirror-comment',
        from: 'company',
        comment: c,
        writtenPartIds: partial,
      });
    else
      actions.push(
        copies
          ? { kind: 'record-comment', from: 'company', sourceId: c.id, targetIds: copies }
          : { kind: 'mirror-comment', from: 'company', comment: c },
      );
  }
  return actions;
}

/**
 * Which attachments to mirror. The connector's own uploads are never mirrored back; an
 * unrecorded connector upload with the same name and size as a source item is taken as its
 * copy (crash between the upload and its record). Files over the target's limit become a
 * comment instead (SPEC §4), never an endless retry.
 */
export function planAttachments(args: {
  google: readonly Attachment[];
  company: readonly Attachment[];
  records: readonly MirroredItem[];
  companyUploadLimitBytes: number;
}): AttachmentAction[] {
  const { sources, targets } = recordedIds(args.records, ['attachment']);
  const actions: AttachmentAction[] = [];
  const plan = (
    from: Side,
    items: readonly Attachment[],
    onTarget: readonly Attachment[],
    limit: number | null,
  ) => {
    const unclaimed = onTarget.filter(
      (t) => t.author.isConnector && !targets.has(mirrorMark(other(from), t.id)),
    );
    for (const a of [...items].sort(byCreation)) {
      const mark = mirrorMark(from, a.id);
      if (sources.has(mark) || targets.has(mark) || a.author.isConnector) continue;
      const i = unclaimed.findIndex(
        (t) => t.filename === a.filename && t.sizeBytes === a.sizeBytes,
      );
      if (i >= 0) {
        const copy = unclaimed.splice(i, 1)[0] as Attachment;
        actions.push({ kind: 'record-attachment', from, sourceId: a.id, targetIds: [copy.id] });
      } else if (limit !== null && a.sizeBytes > limit) {
        actions.push({ kind: 'attachment-too-large', from, attachment: a, limitBytes: limit });
      } else {
        actions.push({ kind: 'mirror-attachment', from, attachment: a });
      }
    }
  };
  plan('google', args.google, args.company, args.companyUploadLimitBytes);
  plan('company', args.company, args.google, null);
  return actions;
}
