// What the two fakes (FakeCrm, FakeSupportCases) share: defensive copies, offset page
// tokens, and reading an upload within a limit as the real services do.
import type { Readable } from 'node:stream';
import { SyncError, TooLargeError } from '../../src/domain/errors';
import type { Attachment, Comment } from '../../src/domain/types';
import { consume } from './streams';

export type FakeSource = 'google' | 'jira';

export function copyComment(c: Comment): Comment {
  return { ...c, author: { ...c.author }, createTime: new Date(c.createTime) };
}

export function copyAttachment(a: Attachment): Attachment {
  return { ...a, author: { ...a.author }, createTime: new Date(a.createTime) };
}

export function badRequest(message: string, source: FakeSource): SyncError {
  return new SyncError('permanent', message, { status: 400, source });
}

/** Opaque page tokens: an offset, tagged per fake so one fake rejects the other's tokens. */
export function encodeToken(tag: string, offset: number): string {
  return Buffer.from(`${tag}:${offset}`).toString('base64url');
}

export function decodeToken(tag: string, token: string, source: FakeSource): number {
  const m = new RegExp(`^${tag}:(\\d+)$`).exec(Buffer.from(token, 'base64url').toString());
  if (!m) throw badRequest('invalid page token', source);
  return Number(m[1]);
}

/**
 * Reads an upload like the real services: a file declared or found larger than `limit` is
 * refused with TooLargeError (the stream is destroyed, never buffered past the limit).
 */
export async function readUpload(
  file: { filename: string; sizeBytes: number; content: Readable },
  limit: number,
  source: FakeSource,
): Promise<Buffer> {
  if (file.filename.trim() === '') throw badRequest('filename is required', source);
  const tooLarge = () => new TooLargeError('attachment too large', { limitBytes: limit, source });
  if (file.sizeBytes > limit) {
    file.content.destroy();
    throw tooLarge();
  }
  const bytes = await consume(file.content, limit);
  if (bytes === null) throw tooLarge();
  return bytes;
}
