// Enhanced JQL search (POST and GET /rest/api/3/search/jql) with `nextPageToken` paging and
// the lagging search index, the approximate count of a JQL; the removed /rest/api/3/search
// answers 410 Gone.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { JiraRoutesOptions } from './app';
import { compileJql } from './jql-compiler';
import { JqlError } from './jql-parser';
import { fieldSelector, propertySelector } from './render';
import type { SimHandler } from './route-table';
import { SimError, type IssueFields, type IssueRecord } from './state-model';
import { envelope, fail, rejectUnknown, requireObject, stringList } from './wire';

const SEARCH_MAX_RESULTS = 100;
const GONE_SEARCH =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';

function pageTokenFor(jql: string, offset: number): string {
  return Buffer.from(
    JSON.stringify({ o: offset, h: createHash('sha1').update(jql).digest('hex').slice(0, 12) }),
  ).toString('base64url');
}

function offsetFromToken(jql: string, token: string): number {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      h?: unknown;
    };
    if (
      typeof t.o === 'number' &&
      Number.isInteger(t.o) &&
      t.o >= 0 &&
      t.h === createHash('sha1').update(jql).digest('hex').slice(0, 12)
    ) {
      return t.o;
    }
  } catch {
    // fall through
  }
  throw fail(400, 'The provided next page token is invalid or expired.');
}

export async function searchRoutes(
  app: FastifyInstance,
  { ctx, render, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const { issueJson } = render;

  const compileBounded = (query: string): ReturnType<typeof compileJql> => {
    let compiled;
    try {
      compiled = compileJql(query, state.jqlSite());
    } catch (e) {
      if (e instanceof JqlError) throw new SimError(400, [e.message]);
      throw e;
    }
    if (!compiled.bounded) {
      throw fail(
        400,
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
      );
    }
    return compiled;
  };

  /** The issues the (lagging) index matches; `reconcile` ids are read as they are now. */
  const matching = (compiled: ReturnType<typeof compileJql>, reconcile: ReadonlySet<string>) =>
    state
      .all()
      .map((issue) => ({
        issue,
        f: reconcile.has(issue.id) ? issue.fields : state.indexedFields(issue),
      }))
      .filter((x): x is { issue: IssueRecord; f: IssueFields } => x.f !== undefined)
      .map((x) => ({ ...x, view: state.jqlView(x.issue, x.f) }))
      .filter((x) => compiled.matches(x.view));

  /** POST /search/approximate-count: `{jql}` → `{count}` from the search index. */
  const approximateCount: SimHandler = ({ body }) => {
    const rec = requireObject(body);
    rejectUnknown(rec, ['jql'], 'com.atlassian.jira.rest.v2.search.JQLCountRequestBean');
    const jql = rec['jql'];
    if (typeof jql !== 'string') throw fail(400, "'jql' must be a string.");
    return { status: 200, json: { count: matching(compileBounded(jql), new Set()).length } };
  };

  const searchJql: SimHandler = ({ body }) => {
    const rec = requireObject(body);
    rejectUnknown(
      rec,
      [
        'expand',
        'fields',
        'fieldsByKeys',
        'jql',
        'maxResults',
        'nextPageToken',
        'properties',
        'reconcileIssues',
      ],
      'com.atlassian.jira.rest.v2.search.SearchAndReconcileRequestBean',
    );
    const jql = rec['jql'];
    if (jql !== undefined && typeof jql !== 'string') throw fail(400, "'jql' must be a string.");
    const fields = stringList(rec['fields'], 'fields');
    const properties = stringList(rec['properties'], 'properties');
    const maxRaw = rec['maxResults'];
    if (
      maxRaw !== undefined &&
      (typeof maxRaw !== 'number' || !Number.isInteger(maxRaw) || maxRaw < 0)
    ) {
      throw fail(400, "'maxResults' must be a non-negative integer.");
    }
    const token = rec['nextPageToken'];
    if (token !== undefined && token !== null && typeof token !== 'string')
      throw fail(400, "'nextPageToken' must be a string.");
    const reconcile = rec['reconcileIssues'];
    if (
      reconcile !== undefined &&
      (!Array.isArray(reconcile) || reconcile.some((x) => !Number.isInteger(x)))
    ) {
      throw fail(400, "'reconcileIssues' must be an array of issue ids.");
    }
    const reconcileIds = new Set(((reconcile as number[] | undefined) ?? []).map(String));
    const query = jql ?? '';
    const compiled = compileBounded(query);
    const max = Math.min(maxRaw === undefined ? 50 : (maxRaw as number), SEARCH_MAX_RESULTS);
    const offset = typeof token === 'string' && token !== '' ? offsetFromToken(query, token) : 0;
    const hits = matching(compiled, reconcileIds).sort((a, b) => compiled.compare(a.view, b.view));
    const page = hits.slice(offset, offset + max);
    const selectField = fieldSelector(fields, 'id');
    const selectProperty = propertySelector(properties);
    const more = offset + page.length < hits.length && page.length > 0;
    return {
      status: 200,
      json: {
        issues: page.map((x) => issueJson(x.issue, x.f, selectField, selectProperty)),
        ...(more ? { nextPageToken: pageTokenFor(query, offset + page.length) } : {}),
        isLast: !more,
      },
    };
  };

  /** GET variant of the enhanced search: the same parameters in the query string. */
  const searchJqlGet: SimHandler = (c) => {
    const body: Record<string, unknown> = {};
    const q = c.query;
    const list = (name: string): string[] =>
      q
        .getAll(name)
        .flatMap((v) => v.split(','))
        .filter((v) => v !== '');
    if (q.has('jql')) body['jql'] = q.get('jql');
    if (q.has('nextPageToken')) body['nextPageToken'] = q.get('nextPageToken');
    if (q.has('maxResults')) body['maxResults'] = Number(q.get('maxResults'));
    if (q.has('fields')) body['fields'] = list('fields');
    if (q.has('properties')) body['properties'] = list('properties');
    if (q.has('reconcileIssues')) body['reconcileIssues'] = list('reconcileIssues').map(Number);
    return searchJql({ ...c, body });
  };

  const gone: SimHandler = () => ({ status: 410, json: envelope([GONE_SEARCH]) });

  pipeline.route(app, { method: 'POST', template: '/rest/api/3/search/jql', handler: searchJql });
  pipeline.route(app, { method: 'GET', template: '/rest/api/3/search/jql', handler: searchJqlGet });
  pipeline.route(app, {
    method: 'POST',
    template: '/rest/api/3/search/approximate-count',
    handler: approximateCount,
  });
  pipeline.route(app, { method: 'GET', template: '/rest/api/3/search', handler: gone });
  pipeline.route(app, { method: 'POST', template: '/rest/api/3/search', handler: gone });
}
