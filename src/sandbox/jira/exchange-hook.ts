// Generic Fastify onSend hook reporting every answered request as an Exchange (what the
// OpenAPI spec tests check): method, path, query, request headers (credentials redacted),
// the JSON request body, status, response headers and the JSON response body.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Exchange } from '../exchange';

export interface ExchangeHookOptions {
  readonly onExchange: (ex: Exchange) => void;
  /** Requests not reported (the control API). */
  readonly skip: (request: FastifyRequest) => boolean;
}

function flat(v: unknown): string {
  return Array.isArray(v) ? v.join(', ') : String(v);
}

export function exchangeHook(opts: ExchangeHookOptions) {
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> => {
    if (opts.skip(request)) return payload;
    const url = new URL(request.url, 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) {
      if (v === undefined) continue;
      const value = flat(v);
      headers[k] = k === 'authorization' ? `${value.split(' ')[0] ?? ''} <redacted>` : value;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const responseHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) {
      if (v !== undefined) responseHeaders[k] = flat(v);
    }
    const isJson = /^application\/json/i.test(responseHeaders['content-type'] ?? '');
    opts.onExchange({
      method: request.method,
      path: url.pathname,
      query,
      headers,
      ...(request.body !== undefined ? { requestJson: request.body } : {}),
      status: reply.statusCode,
      responseHeaders,
      ...(isJson && (typeof payload === 'string' || Buffer.isBuffer(payload))
        ? { responseJson: JSON.parse(payload.toString()) as unknown }
        : {}),
    });
    return payload;
  };
}
