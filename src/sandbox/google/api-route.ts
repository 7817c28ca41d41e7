// One API method on the router: its Google path template compiled (see routing.ts), its
// handler run with the request's context, and its failures answered in Google's envelope.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dropConnection, sendError } from './answers';
import { drain } from './body';
import { ctxOf, type Ctx } from './context';
import { SimHttpError } from './errors';
import { compileTemplate, type GoogleRouteConfig, type RouteId, type RouteMatch } from './routing';
import type { SimRuntime } from './runtime';

export type ApiHandler = (ctx: Ctx, route: RouteMatch) => Promise<void> | void;

/** The route config: the Google route, and the handler (see the app's error handler). */
export interface ServedRouteConfig {
  readonly serve: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export function apiRoute(
  app: FastifyInstance,
  rt: SimRuntime,
  def: { id: RouteId; method: 'GET' | 'POST' | 'PATCH'; template: string; handler: ApiHandler },
): void {
  const { urls, pattern } = compileTemplate(def.template);
  const serve = async (request: FastifyRequest): Promise<void> => {
    const ctx = ctxOf(request);
    const route = ctx?.route;
    if (!ctx || !route) throw new Error('the gate lets no unmatched request through');
    try {
      await def.handler(ctx, route);
    } catch (e) {
      await answerFailure(rt, ctx, e);
    }
  };
  const config: GoogleRouteConfig & ServedRouteConfig = { routeId: def.id, pattern, serve };
  for (const url of urls) app.route({ method: def.method, url, config, handler: serve });
}

async function answerFailure(rt: SimRuntime, ctx: Ctx, e: unknown): Promise<void> {
  if (ctx.req.destroyed && !ctx.req.complete) {
    ctx.reply.hijack(); // the client went away mid-request
    return;
  }
  if (ctx.reply.raw.headersSent) {
    dropConnection(ctx); // too late for an error answer
    return;
  }
  await drain(ctx.req);
  if (e instanceof SimHttpError) sendError(rt, ctx, e);
  else sendError(rt, ctx, new SimHttpError(500, 'INTERNAL', 'Internal error encountered.'));
}
