// The push paths (README "Push"): POST /webhooks/jira, /webhooks/zendesk and
// /webhooks/google. Outside the App Engine task guard (their senders are outside App
// Engine), each proves its origin by a signature or an OIDC token instead, refused with 401
// otherwise. A delivery only enqueues the sync of the ticket or case it names (coalesced
// per window, tasks/push-sync.ts) and is answered at once; the polls stay the truth. Body
// limits, the error envelope and the log rules (ids only; never a signature, token or
// body) are the app's, as for every route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PushSource, PushSourceName } from '../ports/push-source';
import { enqueuePushedSync, RecentDeliveries, type PushDeps } from '../tasks/push-sync';
import { requestLogger } from './routes';

export interface WebhookOptions {
  readonly sources: readonly PushSource[];
  /** Window of the per-ticket coalescing (tasks/push-sync.ts). */
  readonly coalesceWindowMs: number;
  /** Answer by then even if the queue is slow (503: the sender retries). Default 900 ms. */
  readonly answerWithinMs?: number;
}

/** Jira's events carry the issue with its fields; the others are a few hundred bytes. */
export const WEBHOOK_BODY_LIMITS: Readonly<Record<PushSourceName, number>> = {
  jira: 1024 * 1024,
  zendesk: 64 * 1024,
  google: 64 * 1024,
};

export async function webhookRoutes(
  app: FastifyInstance,
  opts: { deps: PushDeps; webhooks: WebhookOptions; traceProject?: string },
): Promise<void> {
  // The signatures cover the raw bytes: this plugin's routes take every body as a Buffer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const answerWithinMs = opts.webhooks.answerWithinMs ?? 900;
  for (const source of opts.webhooks.sources) {
    const recent = new RecentDeliveries();
    app.post(
      `/webhooks/${source.name}`,
      { bodyLimit: WEBHOOK_BODY_LIMITS[source.name] },
      async (req: FastifyRequest, reply: FastifyReply) => {
        const log = requestLogger(req, opts.traceProject);
        const delivery = {
          headers: req.headers,
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        };
        const auth = await source.authenticate(delivery);
        if (!auth.ok) {
          log.warn({ source: source.name, reason: auth.reason }, 'push refused');
          return reply.code(401).send({ error: 'unauthorized' });
        }
        const event = await source.read(delivery);
        const now = opts.deps.clock.now();
        if (event.deliveryId !== null && recent.has(event.deliveryId, now)) {
          log.info({ source: source.name }, 'push repeat dropped');
          return { outcome: 'duplicate' };
        }
        if (event.kind === 'ignore') {
          log.info({ source: source.name, reason: event.reason }, 'push ignored');
          if (event.deliveryId !== null) recent.record(event.deliveryId, now);
          return { outcome: 'ignored', reason: event.reason };
        }
        const enqueued = enqueuePushedSync(
          { ...opts.deps, log },
          source.name,
          event.trigger,
          opts.webhooks.coalesceWindowMs,
        );
        const result = await within(enqueued, answerWithinMs);
        if (result === null) {
          log.warn({ source: source.name }, 'push not answered in time; the sender retries');
          return reply.code(503).send({ outcome: 'retry', reason: 'queue-slow' });
        }
        if (event.deliveryId !== null) recent.record(event.deliveryId, opts.deps.clock.now());
        return result;
      },
    );
  }
}

/** `p`'s value, or null when it takes longer than `ms` (its failure then is only logged by it). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  p.catch(() => undefined); // a late failure must not go unhandled
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
