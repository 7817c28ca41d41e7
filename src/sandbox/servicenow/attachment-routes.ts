// The Attachment API (c_AttachmentAPI.md): POST /api/now/attachment/file?table_name=
// &table_sys_id=&file_name= (the raw bytes, their Content-Type mandatory; streamed and kept
// as chunks), GET /api/now/attachment (metadata, sysparm_query relative to sys_attachment,
// sysparm_limit default 1000, sysparm_offset), GET …/{sys_id} and GET …/{sys_id}/file.
// "The Attachment API respects any system limitations on uploaded files, such as maximum
// file size …: com.glide.attachment.max_size, 1024MB by default."
// SPEC §6.2 (not the reference pages): adding an attachment does not change the record's
// sys_updated_on on a stock instance.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { route, type SnRoutesOptions } from './app';
import type { Row } from './query';
import type { ServiceNowState } from './state';
import { noRecord, SnError } from './wire';

const MB = 1024 * 1024;

/** The instance's max_size property in bytes (1024 MB when unset or unreadable). */
export function maxAttachmentBytes(state: ServiceNowState): number {
  const p = state
    .table('sys_properties')
    .find((r) => r['name'] === 'com.glide.attachment.max_size');
  const mb = Number(p?.['value'] ?? '1024');
  return Math.floor((Number.isFinite(mb) && mb > 0 ? mb : 1024) * MB);
}

export function attachmentMeta(
  state: ServiceNowState,
  base: string,
  a: Row,
): Record<string, string> {
  const by = state.userByName(a['sys_created_by'] ?? '');
  return {
    table_sys_id: a['table_sys_id'] ?? '',
    size_bytes: a['size_bytes'] ?? '0',
    download_link: `${base}/api/now/attachment/${a['sys_id']}/file`,
    sys_updated_on: a['sys_updated_on'] ?? '',
    sys_id: a['sys_id'] ?? '',
    image_height: '',
    sys_created_on: a['sys_created_on'] ?? '',
    file_name: a['file_name'] ?? '',
    sys_created_by: a['sys_created_by'] ?? '',
    created_by_name: by?.['name'] ?? '',
    updated_by_name: by?.['name'] ?? '',
    compressed: 'true',
    average_image_color: '',
    sys_updated_by: a['sys_updated_by'] ?? '',
    sys_tags: '',
    table_name: a['table_name'] ?? '',
    image_width: '',
    sys_mod_count: '0',
    content_type: a['content_type'] ?? '',
    size_compressed: '',
  };
}

export async function attachmentRoutes(
  app: FastifyInstance,
  { ctx }: SnRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  // Nothing parses the upload's body: the route streams the raw request itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  route(app, 'POST', '/api/now/attachment/file', async ({ request, query }) => {
    const startedAt = state.now().getTime();
    const limit = maxAttachmentBytes(state);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    for await (const chunk of request.raw as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (over) continue;
      if (size > limit) {
        over = true;
        chunks.length = 0;
      } else chunks.push(chunk);
    }
    const tableName = query.get('table_name') ?? '';
    const tableSysId = query.get('table_sys_id') ?? '';
    const fileName = query.get('file_name') ?? '';
    const contentType = request.headers['content-type'];
    // "400 Indicates that one or more mandatory parameters were missing from the request";
    // Content-Type: "This header is mandatory to post file attachments."
    if (tableName === '' || tableSysId === '' || fileName === '' || !contentType)
      throw new SnError(
        400,
        'Missing mandatory parameters',
        'table_name, table_sys_id, file_name and Content-Type are required',
      );
    const record = state.find(tableName, tableSysId);
    // "404 Indicates the record … does not exist or is not accessible to the current user."
    if (!record || !state.readable(tableName, record)) throw noRecord();
    // The REST transaction quota (60 s by default, not in the reference pages): a longer
    // request is cancelled and nothing is stored.
    if (state.now().getTime() - startedAt > ctx.transactionQuotaMs)
      throw new SnError(
        500,
        'Transaction cancelled: maximum execution time exceeded',
        'REST transaction quota',
      );
    if (over)
      throw new SnError(
        413,
        'Maximum file size exceeded',
        `The file is larger than com.glide.attachment.max_size (${limit} bytes)`,
      );
    const row = state.insert(
      'sys_attachment',
      {
        table_name: tableName,
        table_sys_id: tableSysId,
        file_name: fileName,
        content_type: contentType,
        size_bytes: String(size),
      },
      state.integrationUser.userName,
    );
    state.files.set(row['sys_id'] as string, chunks);
    return {
      status: 201,
      headers: { location: `${ctx.base}/api/now/attachment/${row['sys_id']}` },
      json: { result: attachmentMeta(state, ctx.base, row) },
    };
  });

  route(app, 'GET', '/api/now/attachment', ({ query }) => {
    const limit = Math.max(1, Number(query.get('sysparm_limit') ?? '1000') || 1000);
    const offset = Math.max(0, Number(query.get('sysparm_offset') ?? '0') || 0);
    const rows = state.select(
      'sys_attachment',
      state.parse('sys_attachment', query.get('sysparm_query') ?? ''),
    );
    const visible = rows
      .slice(offset, offset + limit)
      .filter((r) => state.readable('sys_attachment', r));
    return {
      status: 200,
      json: { result: visible.map((r) => attachmentMeta(state, ctx.base, r)) },
    };
  });

  const found = (id: string): Row => {
    const a = state.find('sys_attachment', id);
    if (!a || !state.readable('sys_attachment', a)) throw noRecord();
    return a;
  };

  route(app, 'GET', '/api/now/attachment/{sys_id}', ({ params }) => ({
    status: 200,
    json: { result: attachmentMeta(state, ctx.base, found(params['sys_id'] ?? '')) },
  }));

  route(app, 'GET', '/api/now/attachment/{sys_id}/file', ({ params }) => {
    const a = found(params['sys_id'] ?? '');
    const meta = attachmentMeta(state, ctx.base, a);
    return {
      status: 200,
      headers: {
        'content-type': a['content_type'] || 'application/octet-stream',
        'content-length': a['size_bytes'] ?? '0',
        // "X-Attachment-Metadata: Metadata about the returned file, such as size, name, and file type."
        'x-attachment-metadata': JSON.stringify(meta).replace(
          /[\u007f-\uffff]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        ),
      },
      stream: Readable.from(state.files.get(a['sys_id'] as string) ?? []),
    };
  });
}
