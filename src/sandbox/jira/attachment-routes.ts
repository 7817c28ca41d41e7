// Attachments: streamed multipart upload (busboy on the raw request, with the XSRF header
// and the site's upload limit), metadata, and the content URL answering 303 to the media
// host; the media host's own route (GET /_media/file/{id}, token instead of basic auth).
import busboy from 'busboy';
import type { FastifyInstance } from 'fastify';
import type { JiraRoutesOptions } from './app';
import type { SimContext } from './context';
import type { SimHandler } from './route-table';
import type { AttachmentRecord } from './state-model';
import { envelope, fail, jiraDate } from './wire';

function attachmentOrFail({ state }: SimContext, id: string): AttachmentRecord {
  const a = state.attachment(id);
  if (!a || state.find(a.issueId) === undefined)
    throw fail(404, `The attachment with id '${id}' does not exist`);
  return a;
}

export async function attachmentRoutes(
  app: FastifyInstance,
  { ctx, render, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const { attachmentJson, userJson } = render;
  // Uploads are streamed by the route itself: this parser never touches the body.
  app.addContentTypeParser('multipart/form-data', (request, _payload, done) =>
    done(null, request.body),
  );

  const uploadAttachments: SimHandler = async ({ request, params }) => {
    const req = request.raw;
    if ((req.headers['x-atlassian-token'] ?? '').toString().toLowerCase() !== 'no-check') {
      return {
        status: 403,
        text: 'XSRF check failed',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
      };
    }
    const issue = state.get(params['issueIdOrKey'] ?? '');
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(contentType)) {
      return {
        status: 415,
        json: envelope(['The request content type must be multipart/form-data.']),
      };
    }
    const files: {
      filename: string;
      mimeType: string;
      chunks: Buffer[];
      size: number;
      tooLarge: boolean;
    }[] = [];
    await new Promise<void>((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        bb = busboy({
          headers: req.headers,
          defParamCharset: 'utf8',
          limits: { fileSize: ctx.uploadLimit + 1 },
        });
      } catch {
        reject(fail(400, 'Malformed multipart request.'));
        return;
      }
      bb.on('file', (field, stream, info) => {
        if (field !== 'file') {
          stream.resume();
          return;
        }
        const entry = {
          filename: info.filename ?? 'file',
          mimeType: info.mimeType || 'application/octet-stream',
          chunks: [] as Buffer[],
          size: 0,
          tooLarge: false,
        };
        files.push(entry);
        stream.on('data', (chunk: Buffer) => {
          if (entry.tooLarge) return;
          entry.chunks.push(chunk);
          entry.size += chunk.length;
          if (entry.size > ctx.uploadLimit) {
            entry.tooLarge = true;
            entry.chunks = [];
          }
        });
        stream.on('limit', () => {
          // Over the site's limit: keep reading (and discarding) to answer cleanly.
          entry.tooLarge = true;
          entry.chunks = [];
        });
      });
      bb.on('close', () => resolve());
      bb.on('error', () => reject(fail(400, 'Malformed multipart request.')));
      req.on('error', reject);
      req.pipe(bb);
    });
    if (files.length === 0) throw fail(400, 'No attachments were provided in the request.');
    if (files.some((f) => f.tooLarge)) {
      return {
        status: 413,
        json: envelope([`The file(s) exceed the maximum upload size of ${ctx.uploadLimit} bytes.`]),
      };
    }
    const created = files.map((f) =>
      state.addAttachment(issue, {
        filename: f.filename,
        mimeType: f.mimeType,
        chunks: f.chunks,
        size: f.size,
        authorId: ctx.apiUser.accountId,
      }),
    );
    return { status: 200, json: created.map(attachmentJson) };
  };

  const attachmentMetadata: SimHandler = ({ params }) => {
    const a = attachmentOrFail(ctx, params['id'] ?? '');
    return {
      status: 200,
      json: {
        self: `${ctx.base}/rest/api/3/attachment/${a.id}`,
        id: Number(a.id),
        filename: a.filename,
        author: userJson(state.user(a.authorId)),
        created: jiraDate(a.created),
        size: a.size,
        mimeType: a.mimeType,
        properties: {},
        content: `${ctx.base}/rest/api/3/attachment/content/${a.id}`,
      },
    };
  };

  const attachmentContent: SimHandler = ({ params, query }) => {
    const a = attachmentOrFail(ctx, params['id'] ?? '');
    if (query.get('redirect') === 'false') return { status: 200, attachment: a };
    const token = state.mediaToken(a.id);
    return {
      status: 303,
      headers: { location: `${ctx.mediaBase}/_media/file/${a.id}?token=${token}&client=jira-sim` },
    };
  };

  pipeline.route(app, {
    method: 'POST',
    template: '/rest/api/3/issue/{issueIdOrKey}/attachments',
    handler: uploadAttachments,
    raw: true,
  });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/attachment/meta',
    handler: () => ({ status: 200, json: { enabled: true, uploadLimit: ctx.uploadLimit } }),
  });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/attachment/content/{id}',
    handler: attachmentContent,
  });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/attachment/{id}',
    handler: attachmentMetadata,
  });
}

/** The media host's download route (on the API listener too, unless a separate host). */
export async function mediaRoutes(
  app: FastifyInstance,
  { ctx, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const mediaFile: SimHandler = ({ params, query }) => {
    const id = params['id'] ?? '';
    const a = state.attachment(id);
    if (!a || !state.redeemMediaToken(query.get('token') ?? '', id)) {
      return {
        status: 401,
        json: {
          error: { code: 'Unauthorized', title: 'The token is missing, invalid or expired.' },
        },
      };
    }
    return { status: 200, attachment: a };
  };
  pipeline.route(app, {
    method: 'GET',
    template: '/_media/file/{id}',
    handler: mediaFile,
    noAuth: true,
  });
}
