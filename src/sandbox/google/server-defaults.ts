// Fastify options that keep the framework out of the wire format: the simulator answers
// like the bare `node:http` server it replaced, wherever Google's front ends would not
// say anything of their own.
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';

/** Node's own answer to a request it cannot parse (Fastify's would be a JSON body). */
function nodeClientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy(err);
    return;
  }
  const line =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
        ? '413 Payload Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
  socket.end(`HTTP/1.1 ${line}\r\nConnection: close\r\n\r\n`);
  socket.destroy(err);
}

export const SERVER_OPTIONS = {
  logger: false,
  // Node's http.Server defaults (Fastify's differ): keep-alive 5 s, requests 300 s.
  keepAliveTimeout: 5_000,
  requestTimeout: 300_000,
  // close() ends every connection at once, in-flight (delayed) requests included.
  forceCloseConnections: true,
  return503OnClosing: false,
  // Only the routes declared: no implicit HEAD for GET.
  exposeHeadRoutes: false,
  routerOptions: {
    // No Fastify 414 for long ids; API paths are checked by their templates anyway.
    maxParamLength: 1 << 20,
    // For /_control only (old leniency): API routes refuse these by their strict templates.
    ignoreTrailingSlash: true,
    ignoreDuplicateSlashes: true,
  },
  clientErrorHandler: nodeClientErrorHandler,
} satisfies FastifyServerOptions;
