// The /_control API for tests and `npm run sandbox -- --crm servicenow`: people's actions on
// incidents and cases, ACLs and business rules, faults, the "down" switch and stats. No
// auth, faults, stats or exchanges.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultSpec } from '../faults';
import { send, type SnRoutesOptions } from './app';
import { TASK_TABLES, type TaskTable } from './schema';

type Body = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const record = (v: unknown): Body =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : {};

/** Snapshots as JSON: dates as ISO strings, file content as base64. */
function json(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, value: unknown) =>
      typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer'
        ? Buffer.from((value as { data: number[] }).data).toString('base64')
        : value,
    ),
  );
}

function tableOf(v: unknown): TaskTable {
  const t = str(v) ?? 'incident';
  if (!(TASK_TABLES as readonly string[]).includes(t))
    throw new Error(`table must be one of ${TASK_TABLES.join(', ')}`);
  return t as TaskTable;
}

export async function controlRoutes(
  app: FastifyInstance,
  { ctx, person }: SnRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const control =
    (
      handler: (
        body: Body,
        id: string,
        query: URLSearchParams,
      ) => { status: number; json?: unknown },
    ) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      try {
        const id = (request.params as Record<string, string>)['id'] ?? '';
        const query = new URL(request.url, 'http://127.0.0.1').searchParams;
        return send(reply, handler(record(request.body), id, query));
      } catch (e) {
        return send(reply, {
          status: 400,
          json: { error: e instanceof Error ? e.message : 'bad request' },
        });
      }
    };
  const detail = (id: string) => {
    const s = person.snapshot(id);
    return s === null
      ? { status: 404, json: { error: 'no such record' } }
      : { status: 200, json: json(s) };
  };

  app.get(
    '/_control/records',
    control((_b, _id, q) => ({
      status: 200,
      json: json(person.list(q.get('table') ? tableOf(q.get('table')) : undefined)),
    })),
  );
  app.post(
    '/_control/records',
    control((b) => {
      const created = person.create(tableOf(b['table']), {
        short_description: str(b['short_description']) ?? 'Untitled',
        ...(str(b['description']) !== undefined
          ? { description: str(b['description']) as string }
          : {}),
        ...(str(b['impact']) !== undefined ? { impact: str(b['impact']) as string } : {}),
        ...(str(b['urgency']) !== undefined ? { urgency: str(b['urgency']) as string } : {}),
        ...(str(b['priority']) !== undefined ? { priority: str(b['priority']) as string } : {}),
        ...(str(b['authorName']) !== undefined
          ? { authorName: str(b['authorName']) as string }
          : {}),
        selected: b['selected'] !== false,
      });
      return { status: 201, json: json(created) };
    }),
  );
  app.get(
    '/_control/records/:id',
    control((_b, id) => detail(id)),
  );
  app.patch(
    '/_control/records/:id',
    control((b, id) => {
      const values: Record<string, string> = {};
      for (const [k, v] of Object.entries(b))
        if (k !== 'authorName' && typeof v === 'string') values[k] = v;
      person.update(id, values, str(b['authorName']));
      return detail(id);
    }),
  );
  app.delete(
    '/_control/records/:id',
    control((_b, id) => {
      const t = state.findTask(id);
      if (t) state.delete(t.table, id);
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/records/:id/journal',
    control((b, id) => {
      const element = str(b['element']) === 'work_notes' ? 'work_notes' : 'comments';
      const authorName = str(b['authorName']);
      const j = person.journal(id, {
        body: str(b['body']) ?? '',
        element,
        ...(authorName !== undefined ? { authorName } : {}),
      });
      return { status: 201, json: json(j) };
    }),
  );
  app.post(
    '/_control/records/:id/attachments',
    control((b, id) => {
      const contentType = str(b['contentType']);
      const authorName = str(b['authorName']);
      const a = person.attachment(id, {
        filename: str(b['filename']) ?? 'file.bin',
        content: Buffer.from(str(b['contentBase64']) ?? '', 'base64'),
        ...(contentType !== undefined ? { contentType } : {}),
        ...(authorName !== undefined ? { authorName } : {}),
      });
      return { status: 201, json: json(a) };
    }),
  );
  app.post(
    '/_control/records/:id/resolve',
    control((b, id) => {
      person.resolve(id, { closed: b['closed'] === true });
      return detail(id);
    }),
  );
  app.post(
    '/_control/records/:id/hidden',
    control((b, id) => {
      if (b['hidden'] === false) state.hidden.delete(id);
      else state.hidden.add(id);
      return { status: 200, json: { hidden: state.hidden.has(id) } };
    }),
  );
  app.post(
    '/_control/acl',
    control((b) => {
      if (typeof b['journalReadable'] === 'boolean') state.journalReadable = b['journalReadable'];
      if (typeof b['propertiesReadable'] === 'boolean')
        state.propertiesReadable = b['propertiesReadable'];
      if (typeof b['dictionaryReadable'] === 'boolean')
        state.dictionaryReadable = b['dictionaryReadable'];
      return {
        status: 200,
        json: {
          journalReadable: state.journalReadable,
          propertiesReadable: state.propertiesReadable,
          dictionaryReadable: state.dictionaryReadable,
        },
      };
    }),
  );
  app.post(
    '/_control/business-rules',
    control((b) => {
      const on = str(b['on']);
      const field = str(b['field']);
      const id = state.addRule({
        table: b['table'] === undefined ? null : tableOf(b['table']),
        on: on === 'insert' || on === 'update' ? on : 'both',
        ...(field !== undefined ? { field } : {}),
        message: str(b['message']) ?? 'Aborted by a business rule',
      });
      return { status: 201, json: { id } };
    }),
  );
  app.delete(
    '/_control/business-rules',
    control(() => {
      state.rules.length = 0;
      return { status: 204 };
    }),
  );

  app.get(
    '/_control/faults',
    control(() => ({ status: 200, json: ctx.faults.list() })),
  );
  app.post(
    '/_control/faults',
    control((b) => ({ status: 201, json: { id: ctx.faults.add(b as FaultSpec) } })),
  );
  app.delete(
    '/_control/faults',
    control(() => {
      ctx.faults.clear();
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/down',
    control((b) => {
      ctx.down = b['down'] === true;
      return { status: 200, json: { down: ctx.down } };
    }),
  );
  app.get(
    '/_control/stats',
    control(() => ({ status: 200, json: ctx.stats })),
  );
}
