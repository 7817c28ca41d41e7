// Zendesk JSON (checked by zendesk-schemas.ts) ↔ domain types, and the tags and metadata the
// adapter writes: raw Zendesk shapes stop here.
import { SyncError } from '../../domain/errors';
import type { Priority } from '../../domain/types';
import type { Attachment, Comment, CrmTicket } from '../../domain/types';
import { priorityFromZendesk, type ZendeskPriorityMap } from '../../domain/zendesk-priority';
import { ZENDESK_SOURCE } from './zendesk-errors';
import {
  mirrorMetadataSchema,
  type ZendeskAttachment,
  type ZendeskComment,
  type ZendeskTicket,
} from './zendesk-schemas';

/** Key of the connector's audit metadata (`metadata.custom.gcsSync`) on the comments it writes. */
export const MIRROR_METADATA = 'gcsSync';
/** Tag recording the exact Google level the connector last set (several levels share a value). */
const LEVEL_TAG = /^google-priority-p([0-4])$/;
const SUBJECT_MAX = 255;
/** Zendesk rejects comments beyond 64 KB; keep well under it. */
const TEXT_MAX = 60_000;
const CASE_NAME = /^(organizations|projects)\/[^/\s]+\/cases\/[^/\s]+$/;

export function priorityLevelTag(p: Priority): string {
  return `google-priority-p${p}`;
}

/** The tags with the level tag replaced (or removed when `p` is null). */
export function withLevelTag(tags: readonly string[], p: Priority | null): string[] {
  const kept = tags.filter((t) => !LEVEL_TAG.test(t));
  return p === null ? kept : [...kept, priorityLevelTag(p)];
}

/** `organizations/1/cases/2` → `google-case-2`. */
export function googleCaseTag(caseName: string): string {
  const n = caseName.split('/').pop() ?? '';
  if (!/^[A-Za-z0-9_-]+$/.test(n)) {
    throw new SyncError('permanent', 'Google case name has no usable case number', {
      source: ZENDESK_SOURCE,
    });
  }
  return `google-case-${n.toLowerCase()}`;
}

export function isCaseName(v: string | null | undefined): v is string {
  return typeof v === 'string' && CASE_NAME.test(v.trim());
}

export function subjectOf(text: string): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ').trim();
  const chars = Array.from(oneLine === '' ? '(no subject)' : oneLine);
  return chars.slice(0, SUBJECT_MAX).join('');
}

export function limitText(text: string): string {
  const note = '\n\n[truncated]';
  return text.length <= TEXT_MAX
    ? text
    : Array.from(text)
        .slice(0, TEXT_MAX - 32)
        .join('') + note;
}

export function isClosedStatus(status: string): boolean {
  return status === 'solved' || status === 'closed';
}

/**
 * The level of a ticket: the level tag when the connector set it and it still agrees with the
 * ticket's value; otherwise the first level the map lists for that value; unknown → null.
 */
export function priorityOf(t: ZendeskTicket, map: ZendeskPriorityMap): Priority | null {
  const byValue = priorityFromZendesk(map, t.priority);
  if (byValue === null) return null;
  for (const tag of t.tags ?? []) {
    const m = LEVEL_TAG.exec(tag);
    if (m === null) continue;
    const level = Number(m[1]) as Priority;
    if (map.toZendesk[level] === t.priority) return level;
  }
  return byValue;
}

export function toTicket(t: ZendeskTicket, map: ZendeskPriorityMap): CrmTicket {
  return {
    id: String(t.id),
    key: String(t.id),
    summary: t.subject ?? '',
    description: t.description ?? '',
    priority: priorityOf(t, map),
    closed: isClosedStatus(t.status),
    createTime: t.created_at,
    updateTime: t.updated_at,
    googleCaseName: isCaseName(t.external_id) ? t.external_id.trim() : null,
    projectKey: 'zendesk',
  };
}

/** Selected for sync: the sync tag, or a Google case link in `external_id`. */
export function isSelected(t: ZendeskTicket, syncTag: string): boolean {
  if (t.status === 'deleted') return false;
  return (t.tags ?? []).includes(syncTag) || isCaseName(t.external_id);
}

/** The connector's mark on a comment: `metadata.custom.gcsSync` (or `metadata.gcsSync`). */
function mirrorOfComment(c: ZendeskComment): string | undefined {
  const meta = c.metadata ?? {};
  const custom = meta['custom'] as Record<string, unknown> | undefined;
  const raw = custom?.[MIRROR_METADATA] ?? meta[MIRROR_METADATA];
  const r = mirrorMetadataSchema.safeParse(raw);
  return r.success ? r.data.mirrorOf : undefined;
}

export interface People {
  readonly meId: number;
  readonly names: ReadonlyMap<number, string>;
}

function authorOf(authorId: number | null | undefined, people: People) {
  const isConnector = authorId !== null && authorId !== undefined && authorId === people.meId;
  const name = authorId === null || authorId === undefined ? undefined : people.names.get(authorId);
  return { displayName: name ?? 'Unknown user', isConnector };
}

export function toComment(c: ZendeskComment, people: People): Comment {
  const of = mirrorOfComment(c);
  return {
    id: String(c.id),
    author: authorOf(c.author_id, people),
    body: c.body ?? '',
    createTime: c.created_at,
    isPublic: c.public,
    ...(of !== undefined ? { mirrorOf: of } : {}),
  };
}

export function toAttachment(a: ZendeskAttachment, c: ZendeskComment, people: People): Attachment {
  return {
    id: String(a.id),
    filename: a.file_name,
    mimeType: a.content_type ?? 'application/octet-stream',
    sizeBytes: a.size,
    createTime: c.created_at,
    author: authorOf(c.author_id, people),
  };
}
