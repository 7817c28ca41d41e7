// Attachment bytes between the connector and ServiceNow through the Attachment API
// (c_AttachmentAPI.md), streamed both ways: an upload is `POST /api/now/attachment/file`
// with table_name, table_sys_id and file_name, the file's MIME type as Content-Type ("This
// header is mandatory") and a ReadableStream body (`duplex: 'half'`, never buffered,
// counted against the limit as it flows); a download streams `GET …/{sys_id}/file`.
// Limits: com.glide.attachment.max_size (1024 MB by default) read where the integration
// user may read sys_properties, and the REST transaction quota (60 s by default): a file
// that cannot cross within it at a conservative rate is treated as too large, and an upload
// the instance cancels after the quota, or refuses for its size, is too large (one
// explanatory note, no retries; SPEC §6.2).
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TooLargeError } from '../../domain/errors';
import type { ServiceNowClient } from './servicenow-client';
import { readJson } from './servicenow-client';
import {
  envelopeOf,
  httpError,
  isSizeRefusal,
  parseServiceNow,
  SERVICENOW_SOURCE as SOURCE,
} from './servicenow-errors';
import { checkSysId } from './servicenow-mapping';
import { attachmentSchema, oneOf, type SnAttachment } from './servicenow-schemas';

/** com.glide.attachment.max_size's default (c_AttachmentAPI.md: "1024MB by default"). */
export const SERVICENOW_DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

function tooLarge(limit: number, why = 'exceeds the ServiceNow attachment limit'): TooLargeError {
  return new TooLargeError(`Attachment ${why}`, { limitBytes: limit, source: SOURCE });
}

/** Uploads the bytes; resolves with the attachment's metadata. Never repeated. */
export async function uploadFile(
  sn: ServiceNowClient,
  target: { table: string; sysId: string },
  file: { filename: string; mimeType: string; content: Readable },
  limit: number,
  quotaMs: number,
): Promise<SnAttachment> {
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
  const op = 'POST attachment/file';
  const qs = new URLSearchParams({
    table_name: target.table,
    table_sys_id: target.sysId,
    file_name: file.filename,
  });
  const startedAt = sn.now();
  let res: Response;
  try {
    res = await sn.fetchApi(
      op,
      'POST',
      `/api/now/attachment/file?${qs.toString()}`,
      {
        headers: { 'content-type': file.mimeType || 'application/octet-stream' },
        body: Readable.toWeb(counter) as unknown as NonNullable<RequestInit['body']>,
        duplex: 'half',
        timeoutMs: quotaMs + 10_000,
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
    file.content.destroy();
    const text = await res.text().catch(() => '');
    const env = envelopeOf(text.slice(0, 64 * 1024));
    if (isSizeRefusal(res.status, env)) throw tooLarge(limit);
    if (res.status >= 500 && sn.now() - startedAt >= quotaMs)
      throw tooLarge(limit, 'did not reach ServiceNow within its REST transaction quota');
    throw httpError(op, res.status, res.headers.get('retry-after'), env);
  }
  return parseServiceNow(op, oneOf(attachmentSchema), await readJson(res, op)).result;
}

/** Streams an attachment's bytes (retried until the headers arrive). */
export async function downloadFile(sn: ServiceNowClient, attachmentId: string): Promise<Readable> {
  checkSysId(attachmentId, 'attachment');
  const op = 'GET attachment file';
  return sn.repeating('idempotent', async () => {
    const res = await sn.fetchApi(op, 'GET', `/api/now/attachment/${attachmentId}/file`, {
      headers: { accept: '*/*' },
    });
    if (!res.ok) throw await sn.failure(op, res);
    if (res.body === null) return Readable.from([]);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  });
}
