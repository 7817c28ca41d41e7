import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * App Engine strips X-Appengine-Cron and X-AppEngine-QueueName from outside requests, so
 * their presence proves the caller is cron or Cloud Tasks (SPEC §3.1). Always on, on every
 * /tasks/ route. The push routes (/webhooks/…, webhooks.ts) are the one exemption: their
 * senders (Jira, Zendesk, Pub/Sub) are outside App Engine and prove themselves by a
 * signature or an OIDC token; they only enqueue tasks, which then pass this guard.
 */
export type Caller = 'cron' | 'queue';

export function requireCaller(caller: Caller) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const ok =
      caller === 'cron'
        ? req.headers['x-appengine-cron'] === 'true'
        : typeof req.headers['x-appengine-queuename'] === 'string' &&
          req.headers['x-appengine-queuename'] !== '';
    if (!ok) {
      req.log.warn({ route: req.routeOptions.url, caller }, 'caller refused');
      await reply.code(403).send({ error: 'forbidden' });
    }
  };
}
