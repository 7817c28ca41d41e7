// Every answer of the API in Google's wire format (gzipped JSON for clients that accept
// it, the `{"error":{...}}` envelope), and the exchange hook that records each one.
import zlib from 'node:zlib';
import type { Exchange } from '../exchange';
import type { FiredFault } from '../faults';
import type { Ctx } from './context';
import { faultMessage, grpcFor, type SimHttpError } from './errors';
import type { SimRuntime } from './runtime';

/** Destroys the connection without an answer (the reply is Fastify's no more). */
export function dropConnection(ctx: Pick<Ctx, 'req' | 'reply'>): void {
  ctx.reply.hijack();
  ctx.req.socket.destroy();
}

export function sendJson(
  rt: SimRuntime,
  ctx: Ctx,
  status: number,
  json: unknown,
  extra: Record<string, string> = {},
): void {
  if (ctx.reply.raw.destroyed) {
    ctx.reply.hijack();
    return;
  }
  const late = ctx.afterFault;
  if (late !== undefined) {
    // The request was handled (its write happened); the client sees the fault instead.
    ctx.afterFault = undefined;
    if (late.drop) dropConnection(ctx);
    else sendFault(rt, ctx, late);
    return;
  }
  // Like Google's front ends, JSON is gzipped for clients that accept it.
  const text = Buffer.from(JSON.stringify(json));
  const gzip = /\bgzip\b/i.test(ctx.headers['accept-encoding'] ?? '');
  const body = gzip ? zlib.gzipSync(text) : text;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': String(body.length),
    vary: 'Origin, X-Origin, Referer',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...extra,
  };
  void ctx.reply.code(status).headers(headers).send(body);
  recordExchange(rt, ctx, status, headers, json);
}

/**
 * An injected error status. With retryAfterSeconds it carries both a Retry-After header and
 * a google.rpc.RetryInfo detail, the two ways Google APIs say how long to wait.
 */
export function sendFault(rt: SimRuntime, ctx: Ctx, fault: FiredFault): void {
  const status = fault.status ?? 500;
  const error: Record<string, unknown> = {
    code: status,
    message: faultMessage(status),
    status: grpcFor(status),
  };
  const extra: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) {
    extra['retry-after'] = String(fault.retryAfterSeconds);
    error['details'] = [
      {
        '@type': 'type.googleapis.com/google.rpc.RetryInfo',
        retryDelay: `${fault.retryAfterSeconds}s`,
      },
    ];
  }
  sendJson(rt, ctx, status, { error }, extra);
}

export function sendError(
  rt: SimRuntime,
  ctx: Ctx,
  e: SimHttpError,
  extra: Record<string, string> = {},
): void {
  sendJson(
    rt,
    ctx,
    e.status,
    { error: { code: e.status, message: e.message, status: e.grpcStatus } },
    extra,
  );
}

/** The exchange hook: one record per API answer (spec checks replay them). */
export function recordExchange(
  rt: SimRuntime,
  ctx: Ctx,
  status: number,
  responseHeaders: Record<string, string>,
  responseJson: unknown,
): void {
  if (!rt.onExchange) return;
  const ex: Exchange = {
    method: ctx.method,
    path: ctx.pathname,
    query: { ...ctx.query },
    headers: { ...ctx.headers },
    status,
    responseHeaders: { ...responseHeaders },
  };
  if (ctx.requestJson !== undefined) ex.requestJson = ctx.requestJson;
  if (responseJson !== undefined) ex.responseJson = responseJson;
  rt.onExchange(ex);
}
