// The Table API (c_TableAPI.md): GET /api/now/table/{tableName} (sysparm_query,
// sysparm_fields, sysparm_limit/offset, sysparm_display_value,
// sysparm_exclude_reference_link; Link and X-Total-Count headers), GET/PATCH/PUT
// …/{sys_id}, POST …/{tableName}; and the OAuth token endpoint /oauth_token.do.
import type { FastifyInstance } from 'fastify';
import { route, type SnRoutesOptions } from './app';
import type { Row } from './query';
import { insertTask, updateTask } from './records';
import { TASK_TABLES, type TaskTable } from './schema';
import type { ServiceNowState } from './state';
import { noRecord, operationFailed, SnError } from './wire';

const isTask = (t: string): t is TaskTable => (TASK_TABLES as readonly string[]).includes(t);

interface Projection {
  readonly fields: string[] | null;
  readonly display: 'true' | 'false' | 'all';
  readonly excludeLinks: boolean;
}

function projection(q: URLSearchParams): Projection {
  const f = q.get('sysparm_fields');
  const d = q.get('sysparm_display_value');
  return {
    // "Comma-separated list of fields to return in the response. Invalid fields are ignored."
    fields: f
      ? f
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '')
      : null,
    display: d === 'true' || d === 'all' ? d : 'false',
    excludeLinks: q.get('sysparm_exclude_reference_link') === 'true',
  };
}

export function project(
  state: ServiceNowState,
  base: string,
  table: string,
  row: Row,
  p: Projection,
): Record<string, unknown> {
  const names = (p.fields ?? state.schema.fieldNames(table)).filter(
    (n) => state.schema.field(table, n.split('.')[0] ?? '') !== undefined,
  );
  const ctx = state.queryContext(table);
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const f = state.schema.field(table, name);
    if (f === undefined) {
      // A dot-walked field ("role.name").
      if (ctx.knows(name)) out[name] = ctx.value(row, name);
      continue;
    }
    // Journal fields read back empty: their entries live in sys_journal_field.
    const value = f.type === 'journal_input' ? '' : (row[name] ?? '');
    if (f.type === 'reference' && value !== '') {
      const shown = state.display(table, name, value);
      const link = `${base}/api/now/table/${f.ref}/${value}`;
      if (p.display === 'true') out[name] = p.excludeLinks ? shown : { display_value: shown, link };
      else if (p.display === 'all')
        out[name] = p.excludeLinks
          ? { display_value: shown, value }
          : { display_value: shown, value, link };
      else out[name] = p.excludeLinks ? value : { link, value };
    } else {
      out[name] = p.display === 'all' ? { display_value: value, value } : value;
    }
  }
  return out;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new SnError(400, 'Exception while reading request', 'The payload is not valid JSON.');
  return body as Record<string, unknown>;
}

function knownTable(state: ServiceNowState, table: string): void {
  if (!state.schema.has(table) || table === 'task')
    throw new SnError(400, `Invalid table ${table}`, null);
}

function pageLinks(
  base: string,
  path: string,
  q: URLSearchParams,
  offset: number,
  limit: number,
  total: number,
): string {
  const at = (o: number): string => {
    const qs = new URLSearchParams(q);
    qs.set('sysparm_offset', String(o));
    qs.set('sysparm_limit', String(limit));
    return `<${base}${path}?${qs.toString()}>`;
  };
  const links = [`${at(0)};rel="first"`];
  if (offset > 0) links.push(`${at(Math.max(0, offset - limit))};rel="prev"`);
  if (offset + limit < total) links.push(`${at(offset + limit)};rel="next"`);
  links.push(`${at(Math.max(0, Math.floor(Math.max(0, total - 1) / limit) * limit))};rel="last"`);
  return links.join(',');
}

export async function tableRoutes(app: FastifyInstance, { ctx }: SnRoutesOptions): Promise<void> {
  const { state } = ctx;

  route(app, 'GET', '/api/now/table/{table}', ({ params, query, request }) => {
    const table = params['table'] ?? '';
    knownTable(state, table);
    const limit = Math.max(1, Number(query.get('sysparm_limit') ?? '10000') || 10000);
    const offset = Math.max(0, Number(query.get('sysparm_offset') ?? '0') || 0);
    const rows = state.select(table, state.parse(table, query.get('sysparm_query') ?? ''));
    // sysparm_limit: "This limit is applied before ACL evaluation": a page may come back
    // short (even empty) while more rows follow.
    const visible = rows.slice(offset, offset + limit).filter((r) => state.readable(table, r));
    const p = projection(query);
    return {
      status: 200,
      headers: {
        'x-total-count': String(rows.length),
        link: pageLinks(
          ctx.base,
          request.url.split('?')[0] ?? '',
          query,
          offset,
          limit,
          rows.length,
        ),
      },
      json: { result: visible.map((r) => project(state, ctx.base, table, r, p)) },
    };
  });

  route(app, 'GET', '/api/now/table/{table}/{sys_id}', ({ params, query }) => {
    const table = params['table'] ?? '';
    knownTable(state, table);
    const row = state.find(table, params['sys_id'] ?? '');
    if (!row || !state.readable(table, row)) throw noRecord();
    return {
      status: 200,
      json: { result: project(state, ctx.base, table, row, projection(query)) },
    };
  });

  route(app, 'POST', '/api/now/table/{table}', ({ params, body, query }) => {
    const table = params['table'] ?? '';
    knownTable(state, table);
    if (!isTask(table))
      throw operationFailed('ACL Exception Insert Failed due to security constraints');
    const row = insertTask(state, table, { values: bodyObject(body), by: state.integrationUser });
    return {
      status: 201,
      headers: { location: `${ctx.base}/api/now/table/${table}/${row['sys_id']}` },
      json: { result: project(state, ctx.base, table, row, projection(query)) },
    };
  });

  const update = ({
    params,
    body,
    query,
  }: {
    params: Record<string, string>;
    body: unknown;
    query: URLSearchParams;
  }) => {
    const table = params['table'] ?? '';
    knownTable(state, table);
    const row = state.find(table, params['sys_id'] ?? '');
    if (!row || !state.readable(table, row)) throw noRecord();
    if (!isTask(table))
      throw operationFailed('ACL Exception Update Failed due to security constraints');
    updateTask(
      state,
      table,
      row,
      { values: bodyObject(body), by: state.integrationUser },
      { enforceAcl: true },
    );
    return {
      status: 200,
      json: { result: project(state, ctx.base, table, row, projection(query)) },
    };
  };
  route(app, 'PATCH', '/api/now/table/{table}/{sys_id}', update);
  route(app, 'PUT', '/api/now/table/{table}/{sys_id}', update);

  route(app, 'POST', '/oauth_token.do', ({ body }) => ({
    status: 200,
    json: ctx.auth.grant((body ?? {}) as Record<string, unknown>),
  }));
}
