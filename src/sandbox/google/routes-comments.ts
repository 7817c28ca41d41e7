// cases.comments.list (newest first, paged) and cases.comments.create (as the API caller).
import type { FastifyPluginAsync } from 'fastify';
import { sendJson } from './answers';
import { apiRoute } from './api-route';
import { readJson } from './body';
import { invalid } from './errors';
import { pageNewestFirst } from './paging';
import { commentBodySchema, parseWith } from './request-schemas';
import type { SimRuntime } from './runtime';
import { commentJson } from './wire-json';

export const commentsRoutes: FastifyPluginAsync<{ rt: SimRuntime }> = async (app, { rt }) => {
  const { state } = rt;

  apiRoute(app, rt, {
    id: 'cases.comments.list',
    method: 'GET',
    template: '/v2/{parent}/cases/{case}/comments',
    handler: (ctx, route) => {
      const rec = state.get(route.caseName ?? '');
      const page = pageNewestFirst(rec.comments, 'comments', rec.number, ctx.query, (c) =>
        commentJson(state.commentSnapshot(rec, c)),
      );
      sendJson(rt, ctx, 200, page);
    },
  });

  apiRoute(app, rt, {
    id: 'cases.comments.create',
    method: 'POST',
    template: '/v2/{parent}/cases/{case}/comments',
    handler: async (ctx, route) => {
      const body = parseWith(commentBodySchema, await readJson(ctx.req, ctx.headers, ctx));
      if (body.body === undefined || body.body === '') throw invalid('body is required.');
      const { rec, comment } = state.addComment(route.caseName ?? '', body.body, state.caller);
      sendJson(rt, ctx, 200, commentJson(state.commentSnapshot(rec, comment)));
    },
  });
};
