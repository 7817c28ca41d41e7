// The simulator as Fastify apps: the API listener (every route plugin and /_control) and
// the optional media host (only the media route). Fastify's own defaults never reach the
// wire: no logger, no HEAD routes, no body parsing (the pipeline and the routes read bodies
// themselves, as Jira's answers need), and 404s, errors and framework errors all answer
// in Jira's format through the same pipeline.
import fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { SimContext } from './context';
import { exchangeHook } from './exchange-hook';
import { faultHook } from './fault-hook';
import { fieldEdits, type FieldEdits } from './field-edits';
import { createPipeline, faultReply, type Pipeline } from './pipeline';
import { renderer, type Renderer } from './render';
import type { RouteTable } from './route-table';
import { errorReply, requestUrl, send } from './wire';
import { attachmentRoutes, mediaRoutes } from './attachment-routes';
import { commentRoutes } from './comment-routes';
import { controlRoutes } from './control-routes';
import { issueRoutes } from './issue-routes';
import { metaRoutes } from './meta-routes';
import { propertyRoutes } from './property-routes';
import { searchRoutes } from './search-routes';
import { transitionRoutes } from './transition-routes';
import { webhookRoutes } from './webhooks';
import type { PersonApi } from './person';

/** What every route plugin gets as its options. */
export interface JiraRoutesOptions {
  readonly ctx: SimContext;
  readonly render: Renderer;
  readonly edits: FieldEdits;
  readonly pipeline: Pipeline;
  readonly person: PersonApi;
  readonly mediaOnly: boolean;
}

export function buildJiraApp(
  ctx: SimContext,
  table: RouteTable,
  person: PersonApi,
  mediaOnly: boolean,
): FastifyInstance {
  const app = fastify({
    logger: false,
    exposeHeadRoutes: false,
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 65_535 },
    frameworkErrors: (error, request, reply) => {
      // A path Fastify cannot decode: Jira's pipeline still counts, faults and answers it.
      // Fastify runs no onSend hooks here (its framework-error context has none), so this
      // reply reports its exchange itself.
      if (exchange !== undefined) {
        const sendNow = reply.send.bind(reply) as unknown as (payload?: unknown) => unknown;
        reply.send = ((payload?: unknown) => {
          void exchange(request, reply, payload);
          return sendNow(payload);
        }) as unknown as typeof reply.send;
      }
      void (async () => {
        if (pipeline.skip(request)) return send(reply, { status: 500 });
        for (const hook of [pipeline.statsHook, faults, pipeline.downHook]) {
          await hook(request, reply);
          if (reply.sent) return reply;
        }
        return error.code === 'FST_ERR_BAD_URL'
          ? pipeline.notFound(request, reply)
          : send(reply, errorReply(error, requestUrl(request.url).pathname));
      })();
    },
  });
  const pipeline = createPipeline(ctx, table, mediaOnly);
  const faults = faultHook({
    faults: ctx.faults,
    skip: pipeline.skip,
    answer: (reply: FastifyReply, f) => send(reply, faultReply(f)),
  });
  const exchange =
    ctx.onExchange === undefined
      ? undefined
      : exchangeHook({ onExchange: ctx.onExchange, skip: pipeline.skip });

  // The pipeline reads JSON bodies (preParsing) and multipart routes stream their own:
  // no parser consumes anything, it only hands on what the pipeline read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, _payload, done) => done(null, request.body));

  if (exchange !== undefined) app.addHook('onSend', exchange);
  app.addHook('onRequest', pipeline.statsHook);
  app.addHook('onRequest', faults);
  app.addHook('onRequest', pipeline.downHook);
  if (!mediaOnly) app.addHook('onRequest', ctx.burst.hook(pipeline.skip));
  app.addHook('onRequest', pipeline.guardHook);
  app.addHook('preParsing', pipeline.bodyHook);

  app.setNotFoundHandler((request, reply) => pipeline.notFound(request, reply));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const path = requestUrl(request.url).pathname;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      // Fastify refuses media types it cannot parse before the route runs; the simulator
      // already read the body itself (or the route streams it), so run the route anyway.
      return request.routeOptions.handler.call(app, request, reply);
    }
    if (pipeline.skip(request)) {
      return send(reply, {
        status: 400,
        json: { error: error.message },
        headers: { 'content-type': 'application/json' },
      });
    }
    return send(reply, errorReply(error, path));
  });

  const render = renderer(ctx);
  const opts: JiraRoutesOptions = {
    ctx,
    render,
    edits: fieldEdits(ctx.state, render),
    pipeline,
    person,
    mediaOnly,
  };
  app.register(mediaRoutes, opts);
  if (!mediaOnly) {
    app.register(searchRoutes, opts);
    app.register(issueRoutes, opts);
    app.register(transitionRoutes, opts);
    app.register(commentRoutes, opts);
    app.register(propertyRoutes, opts);
    app.register(attachmentRoutes, opts);
    app.register(metaRoutes, opts);
    app.register(webhookRoutes, opts);
    app.register(controlRoutes, opts);
  }
  return app;
}
