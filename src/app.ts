import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { handleError } from './http/errors';
import { adminRoutes } from './http/admin/routes';
import type { AdminLinks } from './http/admin/render';
import { taskRoutes } from './http/routes';
import { webhookRoutes, type WebhookOptions } from './http/webhooks';
import type { AdminIdentity } from './ports/admin-identity';
import type { AdminDeps } from './tasks/admin-actions';
import type { TaskDeps } from './tasks/deps';

/** The status page's own dependencies (its identity check and where it links). */
export interface AdminPage {
  readonly identity: AdminIdentity;
  readonly links: AdminLinks;
}

export interface AppDeps extends Omit<TaskDeps, 'log'> {
  /** A pino logger (JSON for Cloud Logging); the sandbox and tests pass their own. */
  readonly logger: FastifyBaseLogger;
  /** GCP project for Cloud Trace correlation of log lines. */
  readonly traceProject?: string;
  /** Loads what the first task would otherwise wait for (App Engine's /_ah/warmup). */
  readonly warmup?: () => Promise<void>;
  /** The status page at /admin/ on this service too (the sandbox: no IAP, red banner). */
  readonly admin?: AdminPage;
  /** The push paths configured (POST /webhooks/…); none when absent. */
  readonly webhooks?: WebhookOptions;
}

/** Builds the app without listening or reading env (STYLE.md). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Task routes log one summary line each; Fastify's per-request lines would double them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });
  app.setErrorHandler(handleError);
  // A body that is not JSON is a malformed task: Fastify's parser error is mapped to dropped.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      done(null, { __malformed: true });
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) =>
    done(null, { __malformed: true }),
  );
  app.get('/healthz', async () => ({ status: 'ok' }));
  // App Engine sends GET /_ah/warmup before routing traffic to a new instance (app.yaml: inbound_services).
  app.get('/_ah/warmup', async () => {
    await deps.warmup?.();
    return { status: 'warm' };
  });
  const { logger, traceProject, warmup: _warmup, admin, webhooks, ...rest } = deps;
  void app.register(taskRoutes, { deps: { ...rest, log: logger }, traceProject });
  if (webhooks && webhooks.sources.length > 0)
    void app.register(webhookRoutes, {
      deps: { queue: rest.queue, clock: rest.clock, log: logger },
      webhooks,
      ...(traceProject === undefined ? {} : { traceProject }),
    });
  if (admin) void app.register(adminRoutes, { ...admin, deps: { ...rest, log: logger } });
  return app;
}

/** The `admin` service (admin.yaml): /healthz and the status page, nothing else. */
export function buildAdminApp(
  deps: Omit<AdminDeps, 'log'> & AdminPage & { readonly logger: FastifyBaseLogger },
): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  const { logger, identity, links, ...rest } = deps;
  void app.register(adminRoutes, { identity, links, deps: { ...rest, log: logger } });
  return app;
}
