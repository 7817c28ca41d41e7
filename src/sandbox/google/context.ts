// The per-request context of an API call, made by the gate before any fault or check:
// what the exchange hook records (path, query, headers, request JSON) and the answer-time
// state (the route it matched, a fault to apply once the request is handled).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { FiredFault } from '../faults';
import type { RouteMatch } from './routing';

export interface Ctx {
  readonly req: IncomingMessage;
  readonly reply: FastifyReply;
  readonly method: string;
  /** The URL-normalized path, percent-encoding kept. */
  readonly pathname: string;
  /** The path with its query string, as faults match it. */
  readonly pathWithQuery: string;
  /** Decoded query parameters (the last one wins). */
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  route?: RouteMatch;
  requestJson?: unknown;
  /** An `after` fault: replaces the handled request's JSON answer (see FaultSpec.after). */
  afterFault?: FiredFault;
}

const contexts = new WeakMap<FastifyRequest, Ctx>();

/** The request's URL as the simulator reads it (Node's WHATWG URL, like Google's front ends). */
export function requestUrl(rawUrl: string | undefined): URL {
  return new URL(rawUrl ?? '/', 'http://127.0.0.1');
}

/**
 * What the router should see: the URL-normalized path (dot segments resolved) with its
 * query, so that Fastify routes exactly the path the simulator checks and records.
 */
export function normalizedUrl(rawUrl: string | undefined): string {
  try {
    const url = requestUrl(rawUrl);
    return url.pathname + url.search;
  } catch {
    return rawUrl ?? '/';
  }
}

export function isControlPath(pathname: string): boolean {
  return pathname === '/_control' || pathname.startsWith('/_control/');
}

function flatHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

export function createCtx(request: FastifyRequest, reply: FastifyReply): Ctx {
  const url = requestUrl(request.raw.url);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const ctx: Ctx = {
    req: request.raw,
    reply,
    method: (request.raw.method ?? 'GET').toUpperCase(),
    pathname: url.pathname,
    pathWithQuery: url.pathname + url.search,
    query,
    headers: flatHeaders(request.raw.headers),
  };
  contexts.set(request, ctx);
  return ctx;
}

export function ctxOf(request: FastifyRequest): Ctx | undefined {
  return contexts.get(request);
}
