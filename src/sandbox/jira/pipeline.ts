// The request pipeline every Jira API route runs through, as Fastify hooks, in the order
// Jira's answers need: stats → faults → "down" → not found / 405 → basic auth → per-issue
// write limit (onRequest), then the JSON body (preParsing, read by the simulator itself:
// size limit, content type, syntax), then the route, whose answer an `after` fault may
// replace. The control API (/_control) skips all of it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { FiredFault } from '../faults';
import type { SimContext } from './context';
import { afterFault, dropConnection } from './fault-hook';
import { fastifyUrl, type RouteMatch, type RouteTable, type SimRoute } from './route-table';
import { PER_ISSUE_WRITE_REASON } from './write-limit';
import { envelope, errorReply, fail, requestUrl, send, type SimReply } from './wire';

export const MAX_JSON_BODY = 5 * 1024 * 1024;
const UNAUTHENTICATED = 'Client must be authenticated to access this resource.';

export function isControlPath(path: string): boolean {
  return path === '/_control' || path.startsWith('/_control/');
}

/** Reads a whole (JSON-sized) body; over `limit` answers 413 and discards the rest. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(fail(413, 'Request entity too large'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function faultReply(f: FiredFault): SimReply {
  return {
    status: f.status ?? 500,
    json: envelope([
      f.status === 429 ? 'Rate limit exceeded.' : `Injected failure (${f.status ?? 500}).`,
    ]),
    headers:
      f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {},
  };
}

export interface Pipeline {
  /** True for requests the pipeline leaves alone (the control API on the API listener). */
  skip(request: FastifyRequest): boolean;
  statsHook(request: FastifyRequest): Promise<void>;
  downHook(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  guardHook(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  bodyHook(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
  /** Answers a request no route takes (404, or 405 when only the method is wrong). */
  notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** Registers a route on `app` (and in the table). */
  route(app: FastifyInstance, route: SimRoute): void;
  runRoute(route: SimRoute, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  /** The route this request is for (Fastify's match, else the table's). */
  resolve(request: FastifyRequest): RouteMatch;
}

export function createPipeline(ctx: SimContext, table: RouteTable, mediaOnly: boolean): Pipeline {
  const resolved = new WeakMap<FastifyRequest, RouteMatch>();

  const resolve = (request: FastifyRequest): RouteMatch => {
    let m = resolved.get(request);
    if (m === undefined) {
      const route = table.routed(request);
      m =
        route !== undefined
          ? { route, methodMismatch: false }
          : table.match(request.method, requestUrl(request.url).pathname);
      resolved.set(request, m);
    }
    return m;
  };

  const skip = (request: FastifyRequest): boolean =>
    !mediaOnly && isControlPath(requestUrl(request.url).pathname);

  const notFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    send(reply, {
      status: resolve(request).methodMismatch ? 405 : 404,
      json: envelope(['Not found']),
    });

  const runRoute = async (
    route: SimRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> => {
    const url = requestUrl(request.url);
    let r: SimReply;
    try {
      r = await route.handler({
        request,
        params: (request.params ?? {}) as Record<string, string>,
        query: url.searchParams,
        body: request.body,
      });
    } catch (e) {
      r = errorReply(e, url.pathname);
    }
    const after = afterFault(request);
    if (after?.drop) {
      dropConnection(request, reply);
      return reply;
    }
    return send(reply, after !== undefined ? faultReply(after) : r);
  };

  return {
    skip,
    resolve,
    notFound,
    runRoute,

    async statsHook(request) {
      if (skip(request)) return;
      const key = `${request.method} ${resolve(request).route?.template ?? requestUrl(request.url).pathname}`;
      ctx.stats.total += 1;
      ctx.stats.byRoute[key] = (ctx.stats.byRoute[key] ?? 0) + 1;
    },

    async downHook(request, reply) {
      if (skip(request) || !ctx.down) return undefined;
      return send(reply, { status: 503, json: envelope(['Service Unavailable']) });
    },

    async guardHook(request, reply) {
      if (skip(request)) return undefined;
      const { route } = resolve(request);
      if (route === undefined || (mediaOnly && !route.template.startsWith('/_media/'))) {
        return notFound(request, reply);
      }
      if (route.noAuth) {
        if (mediaOnly && request.headers.authorization !== undefined) {
          return send(reply, {
            status: 401,
            json: {
              error: { code: 'Unauthorized', title: 'Authorization header not accepted here.' },
            },
          });
        }
      } else if (request.headers.authorization !== ctx.expectedAuth) {
        return send(reply, {
          status: 401,
          text: UNAUTHENTICATED,
          headers: { 'www-authenticate': 'OAuth realm="https%3A%2F%2Fexample.atlassian.net"' },
        });
      }
      const idOrKey = (request.params as Record<string, string> | undefined)?.['issueIdOrKey'];
      const issue =
        request.method !== 'GET' && idOrKey !== undefined ? ctx.state.find(idOrKey) : undefined;
      if (issue === undefined) return undefined;
      const admitted = ctx.writeLimit.admit(issue.id, ctx.state.nowMs());
      if (admitted.ok) return undefined;
      // Read the refused body first: answering mid-upload would reset the client's socket.
      await new Promise<void>((done) => {
        request.raw.once('end', done);
        request.raw.once('close', done);
        request.raw.resume();
      });
      return send(reply, {
        status: 429,
        json: envelope(['Rate limit exceeded.']),
        headers: {
          'retry-after': String(admitted.retryAfterSeconds),
          'ratelimit-reason': PER_ISSUE_WRITE_REASON,
        },
      });
    },

    async bodyHook(request, reply, payload) {
      const { route } = resolve(request);
      if (skip(request) || route === undefined || route.raw === true) return payload;
      if (request.method !== 'POST' && request.method !== 'PUT') return payload;
      const path = requestUrl(request.url).pathname;
      const ct = (request.headers['content-type'] ?? '').toLowerCase();
      let raw: Buffer;
      try {
        raw = await readBody(request.raw, MAX_JSON_BODY);
      } catch (e) {
        return send(reply, errorReply(e, path));
      }
      if (!ct.startsWith('application/json')) return send(reply, { status: 415, text: '' });
      try {
        request.body = raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown);
      } catch {
        return send(
          reply,
          errorReply(fail(400, 'Unexpected character in the request body: not valid JSON.'), path),
        );
      }
      return payload;
    },

    route(app, route) {
      table.add(route);
      app.route({
        method: route.method,
        url: fastifyUrl(route.template),
        handler: (request, reply) => runRoute(route, request, reply),
      });
    },
  };
}
