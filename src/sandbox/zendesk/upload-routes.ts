// Uploads (UploadFiles: POST /api/v2/uploads?filename=NAME[&token=T], the raw bytes as the
// body with the file's own Content-Type, read as a stream and kept as chunks; the token is
// valid for 60 minutes), ShowAttachment (an attachment's JSON by id), and the attachment
// host's download route (content_url), which streams the bytes and is reached without
// Zendesk credentials.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { route, type ZdRoutesOptions } from './app';
import { notFound, zdDate, zdError } from './wire';

/** UploadFiles: "The token is valid for 60 minutes." */
const UPLOAD_TOKEN_TTL_MS = 60 * 60_000;

export async function uploadRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  const { state, wire } = ctx;
  // In this plugin no parser reads anything (a JSON or form file stays bytes): the route
  // streams the raw request itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  route(app, 'POST', '/api/v2/uploads', async ({ request, query }) => {
    const fileName = query.get('filename');
    const contentType =
      (request.headers['content-type'] ?? 'application/binary').split(';')[0]?.trim() ?? '';
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    // Over the limit: keep reading (and discarding) so that the answer arrives cleanly.
    for await (const chunk of request.raw as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (tooLarge) continue;
      if (size > ctx.uploadLimit) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    }
    // UploadFiles: "The endpoint has a required `filename` query parameter."
    if (fileName === null || fileName === '')
      throw zdError(400, 'InvalidValue', 'filename is required');
    if (tooLarge) {
      // Zendesk docs, "Uploading files": at most 50 MB per file.
      throw zdError(413, 'RequestEntityTooLarge', `File is larger than ${ctx.uploadLimit} bytes`);
    }
    const attachment = state.newAttachment(fileName, contentType, chunks, size);
    const token = query.get('token') ?? undefined;
    const upload = state.upload(attachment, token, UPLOAD_TOKEN_TTL_MS);
    return {
      status: 201,
      json: {
        upload: {
          token: upload.token,
          expires_at: zdDate(upload.expiresAt),
          attachment: wire.attachment(attachment),
          attachments: upload.attachments.map(wire.attachment),
        },
      },
    };
  });
}

/**
 * ShowAttachment (GET /api/v2/attachments/{attachment_id}): the `url` every attachment
 * answer carries. Zendesk: "You can get the value of the `attachment_id` parameter by
 * listing the ticket's comments."
 */
export async function attachmentRoutes(
  app: FastifyInstance,
  { ctx }: ZdRoutesOptions,
): Promise<void> {
  route(app, 'GET', '/api/v2/attachments/{attachment_id}', ({ params }) => {
    const raw = params['attachment_id'] ?? '';
    const a = /^\d+$/.test(raw) ? ctx.state.attachmentById(Number(raw)) : undefined;
    if (!a) throw notFound();
    return { status: 200, json: { attachment: ctx.wire.attachment(a) } };
  });
}

export async function contentRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  route(app, 'GET', '/attachments/token/{token}', ({ params }) => {
    const a = ctx.state.content(params['token'] ?? '');
    if (!a) throw notFound();
    return {
      status: 200,
      headers: {
        'content-type': a.contentType,
        'content-length': String(a.size),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(a.fileName)}`,
      },
      stream: Readable.from(a.chunks),
    };
  });
}
