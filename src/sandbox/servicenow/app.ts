// The simulator as one Fastify app: every route plugin and /_control. Each API request runs
// stats → faults → "down" → auth → the rate-limit rule, answers errors in ServiceNow's
// envelope, and is reported as an exchange.
import fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { exchangeHook } from '../jira/exchange-hook';
import { afterFault, dropConnection, faultHook } from '../jira/fault-hook';
import type { FiredFault } from '../faults';
import { attachmentRoutes } from './attachment-routes';
import { OAuthError } from './auth';
import type { SimContext } from './context';
import { controlRoutes } from './control-routes';
import type { PersonApi } from './person';
import { tableRoutes } from './table-routes';
import { SnError, type SnReply } from './wire';

export interface SnRoutesOptions {
  readonly ctx: SimContext;
  readonly person: PersonApi;
}

export interface SnRequest {
  request: FastifyRequest;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

const isControl = (r: FastifyRequest): boolean => r.url.startsWith('/_control');
const isToken = (r: FastifyRequest): boolean => r.url.startsWith('/oauth_token.do');

export function send(reply: FastifyReply, r: SnReply): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (r.stream !== undefined) return reply.send(r.stream);
  if (r.json === undefined) return reply.send();
  return reply.type('application/json;charset=UTF-8').send(JSON.stringify(r.json));
}

function faultReply(f: FiredFault): SnReply {
  const status = f.status ?? 500;
  const headers: Record<string, string> =
    f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {};
  // inbound-REST-API-rate-limiting.md: the 429 answer and its message.
  const e =
    status === 429
      ? new SnError(
          429,
          'Rate limit exceeded',
          'Rate limit of 100 requests per hour for Table API exceeded',
        )
      : new SnError(
          status,
          status >= 500 ? 'Internal server error' : 'Simulated fault',
          `Simulated ${status}`,
        );
  return { status, json: e.body, headers };
}

/** Registers a route: envelope errors thrown inside become answers; `after` faults apply. */
export function route(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  template: string,
  handler: (r: SnRequest) => SnReply | Promise<SnReply>,
): void {
  app.route({
    method,
    url: template.replace(/\{([^}]+)\}/g, ':$1'),
    handler: async (request, reply) => {
      let r: SnReply;
      try {
        r = await handler({
          request,
          params: (request.params ?? {}) as Record<string, string>,
          query: new URL(request.url, 'http://127.0.0.1').searchParams,
          body: request.body,
        });
      } catch (e) {
        if (e instanceof SnError) r = { status: e.status, json: e.body, headers: e.headers };
        else if (e instanceof OAuthError) r = { status: e.status, json: e.body };
        else throw e;
      }
      const after = afterFault(request);
      if (after?.drop === true) {
        r.stream?.destroy();
        dropConnection(request, reply);
        return reply;
      }
      if (after !== undefined) r.stream?.destroy();
      return send(reply, after !== undefined ? faultReply(after) : r);
    },
  });
}

export function buildServiceNowApp(ctx: SimContext, person: PersonApi): FastifyInstance {
  const app = fastify({
    logger: false,
    exposeHeadRoutes: false,
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 4 * 1024 * 1024,
  });
  const stats = async (request: FastifyRequest): Promise<void> => {
    if (isControl(request)) return;
    const template = (request.routeOptions.url ?? 'unknown').replace(/:([A-Za-z_]+)/g, '{$1}');
    const key = `${request.method} ${template}`;
    ctx.stats.requests += 1;
    ctx.stats.byRoute[key] = (ctx.stats.byRoute[key] ?? 0) + 1;
  };
  const down = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (isControl(request) || !ctx.down) return undefined;
    return send(reply, {
      status: 503,
      json: new SnError(503, 'Service Unavailable', 'The instance is temporarily unavailable').body,
    });
  };
  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (isControl(request) || isToken(request)) return undefined;
    try {
      ctx.auth.check(request.headers.authorization);
    } catch (e) {
      if (!(e instanceof SnError)) throw e;
      return send(reply, { status: e.status, json: e.body });
    }
    if (ctx.limit === undefined) return undefined;
    const a = ctx.limit.admit(ctx.state.now().getTime());
    reply.header('x-ratelimit-limit', String(ctx.limit.perHour));
    reply.header('x-ratelimit-reset', String(a.resetS));
    reply.header('x-ratelimit-rule', ctx.limit.ruleId);
    if (a.ok) return undefined;
    const e = new SnError(
      429,
      'Rate limit exceeded',
      `Rate limit of ${ctx.limit.perHour} requests per hour for Table API exceeded`,
    );
    return send(reply, {
      status: 429,
      json: e.body,
      headers: { 'retry-after': String(a.retryAfterS) },
    });
  };
  if (ctx.onExchange !== undefined) {
    app.addHook('onSend', exchangeHook({ onExchange: ctx.onExchange, skip: isControl }));
  }
  app.addHook('onRequest', stats);
  app.addHook(
    'onRequest',
    faultHook({
      faults: ctx.faults,
      skip: isControl,
      answer: (reply, f) => send(reply, faultReply(f)),
    }),
  );
  app.addHook('onRequest', down);
  app.addHook('onRequest', guard);

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.setNotFoundHandler((request, reply) =>
    send(reply, {
      status: 400,
      json: new SnError(
        400,
        'Requested URI does not represent any resource',
        request.url.split('?')[0] ?? '',
      ).body,
    }),
  );
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    return send(reply, {
      status,
      json: new SnError(status, 'Invalid request', error.message).body,
    });
  });

  const opts: SnRoutesOptions = { ctx, person };
  app.register(tableRoutes, opts);
  app.register(attachmentRoutes, opts);
  app.register(controlRoutes, opts);
  return app;
}
