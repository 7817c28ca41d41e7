// caseClassifications.search: the classifications a case may be created with, paged, with
// the documented `display_name:"*text*"` filter (other filters answer 400).
import type { FastifyPluginAsync } from 'fastify';
import { sendJson } from './answers';
import { apiRoute } from './api-route';
import { invalid } from './errors';
import { decodeToken, encodeToken, pageSizeOf } from './paging';
import type { SimRuntime } from './runtime';

export const classificationsRoutes: FastifyPluginAsync<{ rt: SimRuntime }> = async (
  app,
  { rt },
) => {
  apiRoute(app, rt, {
    id: 'caseClassifications.search',
    method: 'GET',
    template: '/v2/caseClassifications:search',
    handler: (ctx) => {
      const q = (ctx.query.query ?? '').trim();
      const m = /^display_name\s*:\s*"\*?([^"*]*)\*?"$/.exec(q);
      if (q !== '' && !m) throw invalid(`Invalid query: "${q}".`);
      const text = (m?.[1] ?? '').toLowerCase();
      const pageSize = pageSizeOf(ctx.query.pageSize, 10);
      const from = decodeToken(ctx.query.pageToken, 'classifications', q) ?? 0;
      const all = rt.classifications.filter((c) => c.displayName.toLowerCase().includes(text));
      const page = all.slice(from, from + pageSize);
      const out: Record<string, unknown> = {};
      if (page.length > 0) out.caseClassifications = page.map((c) => ({ ...c }));
      if (all.length > from + pageSize)
        out.nextPageToken = encodeToken({ k: 'classifications', s: q, a: from + pageSize });
      sendJson(rt, ctx, 200, out);
    },
  });
};
