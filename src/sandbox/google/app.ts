// buildGoogleSimApp(): the simulator as a Fastify app (no listen): one route plugin per
// API area over the shared runtime, the gate in front of them, and the framework's own
// answers (404, 400, 415, JSON parsing) replaced by Google's.
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { dropConnection, sendError } from './answers';
import type { ServedRouteConfig } from './api-route';
import { ctxOf, isControlPath, normalizedUrl, requestUrl } from './context';
import { SimHttpError } from './errors';
import { createGate, notFoundError } from './gate';
import { attachmentsRoutes } from './routes-attachments';
import { casesRoutes } from './routes-cases';
import { classificationsRoutes } from './routes-classifications';
import { commentsRoutes } from './routes-comments';
import { controlNotFound, controlRoutes } from './routes-control';
import { iamRoutes } from './routes-iam';
import type { SimRuntime } from './runtime';
import { SERVER_OPTIONS } from './server-defaults';
import type { GoogleSimulator } from './types';

const isControl = (request: FastifyRequest): boolean =>
  isControlPath(requestUrl(request.raw.url).pathname);

export function buildGoogleSimApp(rt: SimRuntime, sim: GoogleSimulator): FastifyInstance {
  const gate = createGate(rt);

  // A path Fastify cannot decode: answered by the gate like any unknown path.
  const unroutable = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isControl(request)) return controlNotFound(request, reply);
    await gate.run(request, reply);
    if (!reply.sent) fallbackNotFound(request, reply);
  };
  const fallbackNotFound = (request: FastifyRequest, reply: FastifyReply): void => {
    const ctx = ctxOf(request);
    if (ctx) sendError(rt, ctx, notFoundError());
    else dropConnection({ req: request.raw, reply });
  };

  const app = fastify({
    ...SERVER_OPTIONS,
    rewriteUrl: (req) => normalizedUrl(req.url),
    frameworkErrors: (_error, request, reply) => void unroutable(request, reply),
  });

  // Handlers read their own bodies (JSON, media, multipart/related), when and as they need:
  // one parser for every type that neither reads nor buffers anything.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  for (const hook of gate.hooks) app.addHook('onRequest', hook);

  app.setNotFoundHandler(async (request, reply) => {
    // API requests were answered 404 by the gate already.
    if (isControl(request)) return controlNotFound(request, reply);
    fallbackNotFound(request, reply);
  });

  app.setErrorHandler(async (error: Error & { code?: string }, request, reply) => {
    // A Content-Type that Fastify cannot parse is still the handler's to judge (a media
    // upload takes it as the file's type, a JSON method refuses it in Google's words).
    const serve = (request.routeOptions.config as Partial<ServedRouteConfig>).serve;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && serve) return serve(request, reply);
    const ctx = ctxOf(request);
    if (reply.raw.headersSent || !ctx) return dropConnection({ req: request.raw, reply });
    sendError(rt, ctx, new SimHttpError(500, 'INTERNAL', 'Internal error encountered.'));
  });

  void app.register(casesRoutes, { rt });
  void app.register(commentsRoutes, { rt });
  void app.register(attachmentsRoutes, { rt });
  void app.register(classificationsRoutes, { rt });
  void app.register(iamRoutes, { rt });
  void app.register(controlRoutes, { rt, sim, prefix: '/_control' });
  return app;
}
