// The simulator as two Fastify apps: the API (every route plugin and /_control) and the
// attachment host that `content_url`s point at (another port, as Zendesk serves files from
// another host). Both run: stats → faults → "down" → auth (API) or the credential tripwire
// (attachment host), answer in Zendesk's error format, and report exchanges.
import fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { exchangeHook } from '../jira/exchange-hook';
import { afterFault, dropConnection, faultHook } from '../jira/fault-hook';
import type { FiredFault } from '../faults';
import type { SimContext } from './context';
import { controlRoutes } from './control-routes';
import { exportRoutes } from './export-routes';
import type { PersonApi } from './person';
import { commentRoutes, ticketRoutes } from './ticket-routes';
import { attachmentRoutes, contentRoutes, uploadRoutes } from './upload-routes';
import { oauthRoutes, userRoutes } from './user-routes';
import { webhookRoutes } from './webhooks';
import { ZdError, type ZdReply } from './wire';

export interface ZdRoutesOptions {
  readonly ctx: SimContext;
  readonly person: PersonApi;
}

export interface ZdRequest {
  request: FastifyRequest;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

const isControl = (r: FastifyRequest): boolean => r.url.startsWith('/_control');

export function send(reply: FastifyReply, r: ZdReply): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (r.stream !== undefined) return reply.send(r.stream);
  if (r.json === undefined) return reply.send();
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(r.json));
}

function faultReply(f: FiredFault): ZdReply {
  const status = f.status ?? 500;
  const headers: Record<string, string> =
    f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {};
  // Zendesk docs, "Rate limits": 429 answers carry Retry-After.
  const json =
    status === 429
      ? {
          error: 'APIRateLimitExceeded',
          description: 'Number of allowed API requests per minute exceeded',
        }
      : {
          error: status >= 500 ? 'InternalServerError' : 'SimulatedFault',
          description: `Simulated ${status}`,
        };
  return { status, json, headers };
}

/** Registers a route: Zendesk errors thrown inside become answers; `after` faults apply. */
export function route(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  template: string,
  handler: (r: ZdRequest) => ZdReply | Promise<ZdReply>,
): void {
  app.route({
    method,
    url: template.replace(/\{([^}]+)\}/g, ':$1'),
    handler: async (request, reply) => {
      let r: ZdReply;
      try {
        r = await handler({
          request,
          params: (request.params ?? {}) as Record<string, string>,
          query: new URL(request.url, 'http://127.0.0.1').searchParams,
          body: request.body,
        });
      } catch (e) {
        if (!(e instanceof ZdError)) throw e;
        r = { status: e.status, json: e.body, headers: e.headers };
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

export function buildZendeskApp(
  ctx: SimContext,
  person: PersonApi,
  contentHost: boolean,
): FastifyInstance {
  const app = fastify({
    logger: false,
    exposeHeadRoutes: false,
    return503OnClosing: false,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 4 * 1024 * 1024,
    // Real clients often call `/api/v2/tickets/1.json`: the same route as `/api/v2/tickets/1`.
    rewriteUrl: (req) => (req.url ?? '/').replace(/^(\/api\/v2\/[^?]*?)\.json(?=\?|$)/, '$1'),
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
      json: { error: 'ServiceUnavailable', description: 'Zendesk is temporarily unavailable' },
    });
  };
  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const authorization = request.headers.authorization;
    if (contentHost) {
      // The tripwire: Zendesk credentials must never reach another host (the ListTicketComments
      // description: "take care not to inadvertently send Zendesk authentication credentials").
      if (authorization === undefined) return undefined;
      ctx.stats.contentAuthRefusals += 1;
      return send(reply, {
        status: 403,
        json: {
          error: 'CredentialsSentToAttachmentHost',
          description: 'Authorization header refused',
        },
      });
    }
    if (isControl(request) || request.url.startsWith('/oauth/tokens')) return undefined;
    try {
      ctx.auth.check(authorization, request.method);
      return undefined;
    } catch (e) {
      if (!(e instanceof ZdError)) throw e;
      return send(reply, { status: e.status, json: e.body });
    }
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
  if (!contentHost) app.addHook('onRequest', ctx.accountLimit.hook(isControl, send));
  app.addHook('onRequest', guard);

  // JSON stays Fastify's; forms for the OAuth grant; anything else (uploads) is left unread
  // for the route to stream from the raw request.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_r, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.setNotFoundHandler((_request, reply) =>
    send(reply, { status: 404, json: { error: 'InvalidEndpoint', description: 'Not found' } }),
  );
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    return send(reply, {
      status,
      json: {
        error: status === 413 ? 'RequestEntityTooLarge' : 'InvalidRequest',
        description: error.message,
      },
    });
  });

  const opts: ZdRoutesOptions = { ctx, person };
  if (contentHost) {
    app.register(contentRoutes, opts);
    return app;
  }
  app.register(oauthRoutes, opts);
  app.register(userRoutes, opts);
  app.register(ticketRoutes, opts);
  app.register(commentRoutes, opts);
  app.register(exportRoutes, opts);
  app.register(uploadRoutes, opts);
  app.register(attachmentRoutes, opts);
  app.register(webhookRoutes, opts);
  app.register(controlRoutes, opts);
  return app;
}
