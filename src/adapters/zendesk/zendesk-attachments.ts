// Attachment bytes between the connector and Zendesk, streamed both ways: an upload is
// `POST /api/v2/uploads?filename=` with the file's MIME type and a ReadableStream body
// (`duplex: 'half'`, never buffered, counted against the limit as it flows); a download
// streams `content_url`, sending Zendesk credentials only to Zendesk's own origin.
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SyncError, TooLargeError } from '../../domain/errors';
import type { ZendeskClient } from './zendesk-client';
import { readJson } from './zendesk-client';
import { httpError, parseZendesk, ZENDESK_SOURCE as SOURCE } from './zendesk-errors';
import { attachmentResponseSchema, uploadSchema, type ZendeskAttachment } from './zendesk-schemas';

/** Zendesk's per-file limit. */
export const ZENDESK_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/** `limit` unknown: Zendesk refused (413) a file within the limit the connector knew. */
function tooLarge(limit: number | undefined): TooLargeError {
  return new TooLargeError('Attachment exceeds the Zendesk upload limit', {
    ...(limit !== undefined ? { limitBytes: limit } : {}),
    source: SOURCE,
  });
}

/** Uploads the bytes; resolves with the upload token and its attachment. Never repeated. */
export async function uploadFile(
  zd: ZendeskClient,
  file: { filename: string; mimeType: string; content: Readable },
  limit: number,
): Promise<{ token: string; attachment: ZendeskAttachment }> {
  let seen = 0;
  let over = false;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) {
        over = true;
        done(tooLarge(limit));
        return;
      }
      done(null, chunk);
    },
  });
  file.content.on('error', (e) => counter.destroy(e));
  file.content.pipe(counter);
  const op = 'POST uploads';
  let res: Response;
  try {
    res = await zd.fetchApi(
      op,
      'POST',
      `/api/v2/uploads?filename=${encodeURIComponent(file.filename)}`,
      {
        headers: { 'content-type': file.mimeType || 'application/octet-stream' },
        body: Readable.toWeb(counter) as unknown as NonNullable<RequestInit['body']>,
        duplex: 'half',
      },
      false,
    );
  } catch (e) {
    file.content.destroy();
    if (over) throw tooLarge(limit);
    throw e;
  }
  if (over) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(limit);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    file.content.destroy();
    // The file fitted the limit we know, so Zendesk's own is lower and not told: no figure.
    if (res.status === 413) throw tooLarge(undefined);
    throw httpError(op, res.status, res.headers.get('retry-after'));
  }
  const up = parseZendesk(op, uploadSchema, await readJson(res, op));
  return { token: up.upload.token, attachment: up.upload.attachment };
}

/** Streams an attachment's bytes (retried until the headers arrive). */
export async function downloadFile(zd: ZendeskClient, attachmentId: string): Promise<Readable> {
  if (!/^\d+$/.test(attachmentId)) {
    throw new SyncError('permanent', 'Invalid Zendesk attachment id', { source: SOURCE });
  }
  const { attachment } = await zd.call(
    'GET attachment',
    'GET',
    `/api/v2/attachments/${attachmentId}`,
    attachmentResponseSchema,
  );
  return zd.repeating('idempotent', () => openContent(zd, attachment.content_url));
}

async function openContent(zd: ZendeskClient, contentUrl: string): Promise<Readable> {
  const op = 'GET attachment content';
  let url = new URL(contentUrl, zd.baseUrl);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    // Zendesk's credentials go to Zendesk's own origin only, never to a content host.
    const sameOrigin = url.origin === zd.origin;
    const res = sameOrigin
      ? await zd.fetchApi(op, 'GET', url.pathname + url.search, { headers: { accept: '*/*' } })
      : await zd.send(op, 'GET', url.toString());
    if (res.status >= 300 && res.status < 400) {
      const next = res.headers.get('location');
      await res.body?.cancel().catch(() => undefined);
      if (next === null) throw httpError(op, res.status);
      url = new URL(next, url);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw httpError(op, res.status, res.headers.get('retry-after'));
    }
    if (res.body === null) return Readable.from([]);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  }
  throw new SyncError('permanent', `Zendesk ${op}: too many redirects`, { source: SOURCE });
}
