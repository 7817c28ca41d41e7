// cases.attachments.list, media.upload (`/upload/v2/...`, uploadType=media or a streamed
// multipart/related body) and media.download (`:download?alt=media`, streamed). Neither
// direction ever holds a whole file in one buffer: uploads are kept as the chunks that
// arrived, downloads are written 64 KiB at a time.
import type { FastifyPluginAsync } from 'fastify';
import { Readable } from 'node:stream';
import { recordExchange, sendJson } from './answers';
import { apiRoute } from './api-route';
import { consume, MAX_JSON_BYTES } from './body';
import type { Ctx } from './context';
import { invalid, SimHttpError } from './errors';
import { boundaryOf, MultipartError, parseMultipartRelated } from './multipart';
import { pageNewestFirst } from './paging';
import { attachmentMetaSchema, parseWith } from './request-schemas';
import type { SimRuntime } from './runtime';
import { attachmentJson } from './wire-json';

const DOWNLOAD_CHUNK = 64 * 1024;

export const attachmentsRoutes: FastifyPluginAsync<{ rt: SimRuntime }> = async (app, { rt }) => {
  const { state } = rt;

  apiRoute(app, rt, {
    id: 'cases.attachments.list',
    method: 'GET',
    template: '/v2/{parent}/cases/{case}/attachments',
    handler: (ctx, route) => {
      const rec = state.get(route.caseName ?? '');
      const page = pageNewestFirst(rec.attachments, 'attachments', rec.number, ctx.query, (a) =>
        attachmentJson(state.attachmentMeta(rec, a)),
      );
      sendJson(rt, ctx, 200, page);
    },
  });

  apiRoute(app, rt, {
    id: 'media.upload.metadata',
    method: 'POST',
    template: '/v2/{parent}/cases/{case}/attachments',
    handler: () => {
      throw invalid('Media is required: upload through /upload/v2/{parent}/attachments.');
    },
  });

  apiRoute(app, rt, {
    id: 'media.upload',
    method: 'POST',
    template: '/upload/v2/{parent}/cases/{case}/attachments',
    handler: (ctx, route) => upload(rt, ctx, route.caseName ?? ''),
  });

  apiRoute(app, rt, {
    id: 'media.download',
    method: 'GET',
    template: '/v2/{parent}/cases/{case}/attachments/{attachment}:download',
    handler: async (ctx, route) => {
      if (ctx.query.alt !== 'media') throw invalid('Downloads need alt=media.');
      const a = state.attachment(route.caseName ?? '', route.attachmentId ?? '');
      const headers = {
        'content-type': a.mimeType,
        'content-length': String(a.sizeBytes),
        'content-disposition': 'attachment',
      };
      recordExchange(rt, ctx, 200, headers, undefined);
      const chunks = a.chunks;
      function* pieces(): Generator<Buffer> {
        for (const c of chunks) {
          for (let i = 0; i < c.length; i += DOWNLOAD_CHUNK)
            yield c.subarray(i, i + DOWNLOAD_CHUNK);
        }
      }
      // Awaiting the reply waits for the stream's end (Fastify sends it, piped).
      await ctx.reply.code(200).headers(headers).send(Readable.from(pieces()));
    },
  });
};

async function upload(rt: SimRuntime, ctx: Ctx, caseName: string): Promise<void> {
  rt.state.get(caseName); // 404 before reading the body
  const uploadType = ctx.query.uploadType ?? 'media';
  const limit = rt.maxUploadBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  const take = (chunk: Buffer): void => {
    size += chunk.length;
    if (limit !== undefined && size > limit) {
      throw new SimHttpError(
        413,
        'INVALID_ARGUMENT',
        'The attachment is larger than the maximum allowed size.',
      );
    }
    chunks.push(chunk);
  };
  let filename = ctx.query['attachment.filename'];
  let mimeType = 'application/octet-stream';

  if (uploadType === 'multipart') {
    const type = ctx.headers['content-type'] ?? '';
    const boundary = /^multipart\/related\b/i.test(type) ? boundaryOf(type) : null;
    if (!boundary)
      throw invalid('uploadType=multipart needs a multipart/related body with a boundary.');
    const meta: Buffer[] = [];
    let metaSize = 0;
    let parts: number;
    try {
      parts = await parseMultipartRelated(ctx.req as AsyncIterable<Buffer>, boundary, {
        onPartStart: (index, part) => {
          if (index === 0 && !/^application\/json\b/i.test(part.headers['content-type'] ?? '')) {
            throw invalid('The metadata part must be application/json.');
          }
          if (index === 1 && part.headers['content-type']) mimeType = part.headers['content-type'];
          if (index > 1) throw invalid('A multipart upload has exactly two parts.');
        },
        onPartData: (index, chunk) => {
          if (index === 0) {
            metaSize += chunk.length;
            if (metaSize > MAX_JSON_BYTES) throw invalid('Metadata part too large.');
            meta.push(chunk);
          } else take(chunk);
        },
      });
    } catch (e) {
      if (e instanceof MultipartError) throw invalid(`Malformed multipart body: ${e.message}.`);
      throw e;
    }
    if (parts !== 2) throw invalid('A multipart upload has exactly two parts.');
    let metaJson: unknown;
    try {
      metaJson = JSON.parse(Buffer.concat(meta).toString('utf8')) as unknown;
    } catch {
      throw invalid('Invalid JSON payload received.');
    }
    const parsed = parseWith(attachmentMetaSchema, metaJson);
    filename = parsed.attachment?.filename ?? filename;
  } else if (uploadType === 'media') {
    if (ctx.headers['content-type']) mimeType = ctx.headers['content-type'];
    await consume(ctx.req, take);
  } else {
    throw invalid(`Unsupported uploadType "${uploadType}".`);
  }
  if (!filename) throw invalid('attachment.filename is required.');
  const { rec, attachment } = rt.state.addAttachment(
    caseName,
    { filename, mimeType: mimeType.trim(), chunks, sizeBytes: size },
    rt.state.caller,
  );
  sendJson(rt, ctx, 200, attachmentJson(rt.state.attachmentMeta(rec, attachment)));
}
