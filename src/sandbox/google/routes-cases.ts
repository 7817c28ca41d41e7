// cases.search, cases.create, cases.get, cases.patch and cases.close.
import type { FastifyPluginAsync } from 'fastify';
import { sendJson } from './answers';
import { apiRoute } from './api-route';
import { readJson } from './body';
import type { Ctx } from './context';
import { invalid } from './errors';
import { decodeToken, encodeToken, pageSizeOf } from './paging';
import type { SimPriority } from './records';
import { caseBodySchema, emptyBodySchema, parseWith } from './request-schemas';
import type { SimRuntime } from './runtime';
import { parseCaseQuery } from './search-query';
import { caseJson } from './wire-json';

export const casesRoutes: FastifyPluginAsync<{ rt: SimRuntime }> = async (app, { rt }) => {
  const { state } = rt;
  const body = (ctx: Ctx): Promise<unknown> => readJson(ctx.req, ctx.headers, ctx);

  apiRoute(app, rt, {
    id: 'cases.search',
    method: 'GET',
    template: '/v2/{parent}/cases:search',
    handler: (ctx, route) => sendJson(rt, ctx, 200, search(rt, route.parent, ctx.query)),
  });

  apiRoute(app, rt, {
    id: 'cases.create',
    method: 'POST',
    template: '/v2/{parent}/cases',
    handler: async (ctx, route) => {
      const input = parseWith(caseBodySchema, await body(ctx));
      if (!input.displayName) throw invalid('display_name is required.');
      if (!input.description) throw invalid('description is required.');
      if (!input.classification?.id) throw invalid('classification.id is required.');
      if (!input.priority || input.priority === 'PRIORITY_UNSPECIFIED')
        throw invalid('priority is required.');
      const rec = state.apiCreate(route.parent, {
        displayName: input.displayName,
        description: input.description,
        classificationId: input.classification.id,
        priority: input.priority,
        testCase: input.testCase ?? false,
        timeZone: input.timeZone,
        languageCode: input.languageCode,
        contactEmail: input.contactEmail,
        subscriberEmailAddresses: input.subscriberEmailAddresses,
      });
      sendJson(rt, ctx, 200, caseJson(state.snapshot(rec)));
    },
  });

  apiRoute(app, rt, {
    id: 'cases.get',
    method: 'GET',
    template: '/v2/{parent}/cases/{case}',
    handler: (ctx, route) =>
      sendJson(rt, ctx, 200, caseJson(state.snapshot(state.get(route.caseName ?? '')))),
  });

  apiRoute(app, rt, {
    id: 'cases.patch',
    method: 'PATCH',
    template: '/v2/{parent}/cases/{case}',
    handler: async (ctx, route) => {
      const caseName = route.caseName ?? '';
      state.get(caseName); // 404 before reading the body
      const update = patchFields(parseWith(caseBodySchema, await body(ctx)), ctx.query.updateMask);
      const rec = state.patch(caseName, update);
      sendJson(rt, ctx, 200, caseJson(state.snapshot(rec)));
    },
  });

  apiRoute(app, rt, {
    id: 'cases.close',
    method: 'POST',
    template: '/v2/{parent}/cases/{case}:close',
    handler: async (ctx, route) => {
      parseWith(emptyBodySchema, await body(ctx));
      sendJson(rt, ctx, 200, caseJson(state.snapshot(state.close(route.caseName ?? ''))));
    },
  });
};

/** Search returns cases in case-number order; its page token holds the last number. */
function search(
  rt: SimRuntime,
  parent: string,
  query: Record<string, string>,
): Record<string, unknown> {
  const pageSize = pageSizeOf(query.pageSize, 10);
  const q = query.query ?? '';
  const scope = `${parent}|${q}`;
  const after = decodeToken(query.pageToken, 'search', scope);
  const matches = parseCaseQuery(q);
  const all = rt.state
    .casesUnder(parent)
    .filter((c) => (after === undefined || c.numeric > after) && matches(c));
  const page = all.slice(0, pageSize);
  const last = page[page.length - 1];
  const out: Record<string, unknown> = {};
  if (page.length > 0) out.cases = page.map((c) => caseJson(rt.state.snapshot(c)));
  if (all.length > pageSize && last)
    out.nextPageToken = encodeToken({ k: 'search', s: scope, a: last.numeric });
  return out;
}

/** The fields a patch sets: those of its update mask (all three without one). */
function patchFields(
  body: ReturnType<typeof caseBodySchema.parse>,
  updateMask: string | undefined,
): { priority?: SimPriority; displayName?: string; subscriberEmailAddresses?: string[] } {
  const mask = (updateMask ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const fields = new Set<string>();
  for (const f of mask) {
    if (f === 'priority') fields.add('priority');
    else if (f === 'display_name' || f === 'displayName') fields.add('displayName');
    else if (f === 'subscriber_email_addresses' || f === 'subscriberEmailAddresses') {
      fields.add('subscriberEmailAddresses');
    } else throw invalid(`Invalid update mask path: "${f}".`);
  }
  if (fields.size === 0) {
    fields.add('priority');
    fields.add('displayName');
    fields.add('subscriberEmailAddresses');
  }
  const update: {
    priority?: SimPriority;
    displayName?: string;
    subscriberEmailAddresses?: string[];
  } = {};
  if (fields.has('priority')) {
    if (!body.priority || body.priority === 'PRIORITY_UNSPECIFIED') {
      if (mask.length > 0) throw invalid('priority must be set when it is in the update mask.');
    } else update.priority = body.priority;
  }
  if (fields.has('displayName')) {
    if (!body.displayName) {
      if (mask.length > 0) throw invalid('display_name must not be empty.');
    } else update.displayName = body.displayName;
  }
  if (fields.has('subscriberEmailAddresses')) {
    update.subscriberEmailAddresses = body.subscriberEmailAddresses ?? [];
  }
  return update;
}
