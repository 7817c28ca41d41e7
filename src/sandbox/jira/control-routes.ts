// The /_control API for tests and the sandbox: people's actions on issues, faults, the
// per-issue write limit, the "down" switch and stats. No auth, no faults, no stats, no
// exchanges (the pipeline skips /_control); JSON bodies read here, as loosely as ever.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultSpec } from '../faults';
import type { JiraRoutesOptions } from './app';
import { MAX_JSON_BODY, readBody } from './pipeline';
import { snapshotJson } from './snapshots';
import { SimError } from './state-model';
import type { SimWriteWindow } from './write-limit';
import { asRecord, envelope, send } from './wire';

type ControlHandler = (
  body: Record<string, unknown>,
  params: Record<string, string>,
  request: FastifyRequest,
) => { status: number; json?: unknown } | Promise<{ status: number; json?: unknown }>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Control answers: JSON without Jira's charset parameter, or an empty body. */
function answer(reply: FastifyReply, status: number, json?: unknown): FastifyReply {
  return send(
    reply,
    json === undefined
      ? { status }
      : { status, json, headers: { 'content-type': 'application/json' } },
  );
}

export async function controlRoutes(
  app: FastifyInstance,
  { ctx, person }: JiraRoutesOptions,
): Promise<void> {
  const { state, faults, writeLimit } = ctx;

  const control =
    (handler: ControlHandler, readsBody = true) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      try {
        let body: Record<string, unknown> = {};
        if (readsBody && (request.method === 'POST' || request.method === 'PUT')) {
          const raw = await readBody(request.raw, MAX_JSON_BODY);
          body = raw.length === 0 ? {} : (asRecord(JSON.parse(raw.toString('utf8'))) ?? {});
        }
        const r = await handler(body, (request.params ?? {}) as Record<string, string>, request);
        return answer(reply, r.status, r.json);
      } catch (e) {
        if (e instanceof SimError)
          return answer(reply, e.status, envelope(e.errorMessages, { ...e.errors }));
        return answer(reply, 400, { error: e instanceof Error ? e.message : 'bad request' });
      }
    };

  // --- issues, as people change them ---------------------------------------------------

  app.get(
    '/_control/issues',
    control(() => ({ status: 200, json: state.all().map((i) => snapshotJson(state.snapshot(i))) })),
  );
  app.post(
    '/_control/issues',
    control((body) => {
      const created = person.create({
        summary: str(body['summary']) ?? 'Untitled',
        description: str(body['description']),
        labels: Array.isArray(body['labels']) ? (body['labels'] as string[]) : undefined,
        priority: str(body['priority']),
        projectKey: str(body['projectKey']),
        createdAt:
          str(body['createdAt']) !== undefined
            ? new Date(str(body['createdAt']) as string)
            : undefined,
        reporterDisplayName: str(body['reporterDisplayName']),
      });
      return { status: 201, json: snapshotJson(state.snapshot(created)) };
    }),
  );
  app.get(
    '/_control/issues/:key',
    control((_b, p) => ({
      status: 200,
      json: snapshotJson(state.snapshot(state.get(p['key'] ?? ''))),
    })),
  );
  app.delete(
    '/_control/issues/:key',
    control((_b, p) => {
      state.deleteIssue(p['key'] ?? '');
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/issues/:key/comments',
    control((body, p) => {
      const snap = person.comment(p['key'] ?? '', {
        body: str(body['body']),
        adf: body['adf'],
        displayName: str(body['displayName']),
        public: body['public'] === false ? false : true,
      });
      return { status: 201, json: { ...snap, created: snap.created.toISOString() } };
    }),
  );
  app.post(
    '/_control/issues/:key/attachments',
    control(async (_b, p, request) => {
      const issue = state.get(p['key'] ?? '');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request.raw) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      const q = new URL(request.url, 'http://127.0.0.1').searchParams;
      const author = state.person(q.get('displayName') ?? undefined);
      const rec = state.addAttachment(issue, {
        filename: q.get('filename') ?? 'file',
        mimeType: q.get('mimeType') ?? 'application/octet-stream',
        chunks,
        size,
        authorId: author.accountId,
      });
      return {
        status: 201,
        json: {
          id: rec.id,
          filename: rec.filename,
          mimeType: rec.mimeType,
          size: rec.size,
          author: { accountId: author.accountId, displayName: author.displayName },
          created: new Date(rec.created).toISOString(),
        },
      };
    }, false),
  );
  app.post(
    '/_control/issues/:key/priority',
    control((body, p) => {
      person.priority(p['key'] ?? '', str(body['priority']) ?? '');
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/issues/:key/transition',
    control((body, p) => {
      person.transition(p['key'] ?? '', str(body['to']) ?? '');
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/issues/:key/move',
    control((body, p) => {
      const moved = state.moveIssue(p['key'] ?? '', str(body['projectKey']) ?? '');
      return { status: 200, json: snapshotJson(state.snapshot(moved)) };
    }),
  );
  app.post(
    '/_control/issues/:key/labels',
    control((body, p) => {
      person.labels(
        p['key'] ?? '',
        Array.isArray(body['labels']) ? (body['labels'] as string[]) : [],
      );
      return { status: 204 };
    }),
  );

  // --- faults, write limits, down, stats -----------------------------------------------

  app.post(
    '/_control/faults',
    control((body) => ({ status: 201, json: { id: faults.add(body as FaultSpec) } })),
  );
  app.get(
    '/_control/faults',
    control(() => ({ status: 200, json: faults.list() })),
  );
  app.delete(
    '/_control/faults',
    control(() => {
      faults.clear();
      return { status: 204 };
    }),
  );
  app.get(
    '/_control/write-limits',
    control(() => ({
      status: 200,
      json: { limits: writeLimit.limits(), rejected: writeLimit.rejected() },
    })),
  );
  app.post(
    '/_control/write-limits',
    control((body) => {
      const limits = body['limits'];
      if (limits !== false && !Array.isArray(limits))
        throw new Error('limits must be a list of {limit, windowMs} or false');
      writeLimit.setWindows(limits === false ? [] : (limits as SimWriteWindow[]));
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/down',
    control((body) => {
      ctx.down = body['down'] === true;
      return { status: 204 };
    }),
  );
  app.get(
    '/_control/stats',
    control(() => ({ status: 200, json: ctx.stats })),
  );
  app.delete(
    '/_control/stats',
    control(() => {
      ctx.stats = { total: 0, byRoute: {} };
      return { status: 204 };
    }),
  );

  const unknown = control(() => ({ status: 404, json: { error: 'unknown control route' } }));
  app.all('/_control', unknown);
  app.all('/_control/*', unknown);
}
