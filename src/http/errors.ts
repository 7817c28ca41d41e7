import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SyncError } from '../domain/errors';

/**
 * Maps errors to Cloud Tasks semantics (STYLE.md): permanent → 200 + dropped (a non-2xx
 * would be retried forever), rate-limited → 503 + Retry-After (the queue slows down),
 * conflict → 409 and anything else → 500 (retried with backoff). Only the error's class,
 * kind, status and source are logged: never its message's upstream details or bodies.
 */
export async function handleError(
  error: FastifyError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const fields = {
    route: req.routeOptions.url,
    error: error.name,
    kind: error instanceof SyncError ? error.kind : 'unexpected',
    status: error instanceof SyncError ? error.status : undefined,
    source: error instanceof SyncError ? error.source : undefined,
    detail: error instanceof SyncError ? error.message : undefined,
  };
  if (error instanceof SyncError) {
    switch (error.kind) {
      case 'permanent':
        req.log.error(fields, 'task dropped: permanent failure');
        await reply.code(200).send({ outcome: 'dropped', reason: 'permanent-error' });
        return;
      case 'rate-limited':
        req.log.warn(fields, 'task throttled by upstream');
        if (error.retryAfterSeconds !== undefined)
          void reply.header('retry-after', String(Math.ceil(error.retryAfterSeconds)));
        await reply.code(503).send({ outcome: 'retry', reason: 'rate-limited' });
        return;
      case 'conflict':
        req.log.info(fields, 'task conflicted; will retry');
        await reply.code(409).send({ outcome: 'retry', reason: 'conflict' });
        return;
      case 'retry':
        req.log.warn(fields, 'task failed; will retry');
        await reply.code(500).send({ outcome: 'retry', reason: 'transient' });
        return;
    }
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    await reply.code(status).send({ error: 'bad-request' });
    return;
  }
  req.log.error(fields, 'task failed unexpectedly; will retry');
  await reply.code(500).send({ outcome: 'retry', reason: 'unexpected' });
}
