// Boundary checks of Cloud Support v2 JSON and its mapping to domain types. Raw Google
// shapes stop here. Unknown enum values (a state or priority we do not know) never throw:
// priority maps to null, and a case is closed only when its state is CLOSED.
import { z } from 'zod';
import { priorityFromGoogle } from '../../domain/priority';
import type { Attachment, Comment, ItemAuthor, SupportCase } from '../../domain/types';

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a timestamp');

const actorSchema = z
  .object({
    displayName: z.string().optional(),
    email: z.string().optional(),
    username: z.string().optional(),
    googleSupport: z.boolean().optional(),
  })
  .optional();

export const caseSchema = z.object({
  name: z.string().min(1),
  displayName: z.string().optional(),
  description: z.string().optional(),
  priority: z.string().optional(),
  state: z.string().optional(),
  createTime: timestamp,
  updateTime: timestamp.optional(),
});

export const commentSchema = z.object({
  name: z.string().min(1),
  body: z.string().optional(),
  plainTextBody: z.string().optional(),
  createTime: timestamp,
  creator: actorSchema,
});

export const attachmentSchema = z.object({
  name: z.string().min(1),
  filename: z.string().optional(),
  mimeType: z.string().optional(),
  sizeBytes: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).optional(),
  createTime: timestamp,
  creator: actorSchema,
});

export const searchCasesSchema = z.object({
  cases: z.array(caseSchema).optional(),
  nextPageToken: z.string().optional(),
});
export const listCommentsSchema = z.object({
  comments: z.array(commentSchema).optional(),
  nextPageToken: z.string().optional(),
});
export const listAttachmentsSchema = z.object({
  attachments: z.array(attachmentSchema).optional(),
  nextPageToken: z.string().optional(),
});

type GoogleActor = z.infer<typeof actorSchema>;

function lastSegment(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? name : name.slice(i + 1);
}

export function toSupportCase(c: z.infer<typeof caseSchema>): SupportCase {
  const createTime = new Date(c.createTime);
  return {
    name: c.name,
    displayName: c.displayName ?? '',
    description: c.description ?? '',
    priority: priorityFromGoogle(c.priority),
    closed: c.state === 'CLOSED',
    createTime,
    updateTime: c.updateTime !== undefined ? new Date(c.updateTime) : createTime,
  };
}

function toAuthor(creator: GoogleActor, connectorEmail: string | undefined): ItemAuthor {
  const me = connectorEmail?.toLowerCase();
  const isConnector =
    me !== undefined &&
    me !== '' &&
    (creator?.email?.toLowerCase() === me || creator?.username?.toLowerCase() === me);
  return {
    displayName: creator?.displayName ?? '',
    isConnector,
    isGoogleSupport: creator?.googleSupport === true,
  };
}

export function toComment(
  c: z.infer<typeof commentSchema>,
  connectorEmail: string | undefined,
): Comment {
  return {
    id: lastSegment(c.name),
    author: toAuthor(c.creator, connectorEmail),
    body: c.body ?? c.plainTextBody ?? '',
    createTime: new Date(c.createTime),
    isPublic: true,
  };
}

export function toAttachment(
  a: z.infer<typeof attachmentSchema>,
  connectorEmail: string | undefined,
): Attachment {
  return {
    id: lastSegment(a.name),
    filename: a.filename ?? lastSegment(a.name),
    mimeType: a.mimeType || 'application/octet-stream',
    sizeBytes: a.sizeBytes === undefined ? 0 : Number(a.sizeBytes),
    createTime: new Date(a.createTime),
    author: toAuthor(a.creator, connectorEmail),
  };
}
