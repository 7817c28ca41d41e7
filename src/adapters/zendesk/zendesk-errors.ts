// Classifies every failure of a Zendesk call into a SyncError, once. Messages hold the
// operation and the HTTP status (or a network error code) only: never bodies, never headers.
import type { z } from 'zod';
import { NotFoundError, ReadOnlyTargetError, SyncError, TooLargeError } from '../../domain/errors';
import { httpErrorKind, parseRetryAfter } from '../http/retry-after';

export const ZENDESK_SOURCE = 'zendesk';

/**
 * The SyncError for an HTTP failure. 422 is permanent (Zendesk refused the content); a 422
 * whose `body` is the closed-ticket refusal is a closedTicketError.
 */
export function httpError(
  op: string,
  status: number,
  retryAfter?: string | null,
  body?: unknown,
): SyncError {
  const message = `Zendesk ${op} failed with HTTP ${status}`;
  if (status === 404) return new NotFoundError(message, { source: ZENDESK_SOURCE });
  if (status === 413) return new TooLargeError(message, { source: ZENDESK_SOURCE });
  if (status === 409) return new SyncError('conflict', message, { status, source: ZENDESK_SOURCE });
  if (status === 422 && isClosedRefusal(body)) return closedTicketError(op);
  if (status === 422) {
    return new SyncError(
      'permanent',
      `${message} (unprocessable: the ticket refuses this change)`,
      {
        status,
        source: ZENDESK_SOURCE,
      },
    );
  }
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  return new SyncError(httpErrorKind(status, retryAfterSeconds), message, {
    status,
    retryAfterSeconds,
    source: ZENDESK_SOURCE,
  });
}

/** The SyncError for a transport failure (reset, refused, timeout…): retried when idempotent. */
export function networkError(op: string, e: unknown): SyncError {
  if (e instanceof SyncError) return e;
  const cause = (e as { cause?: { code?: unknown } })?.cause;
  const code =
    typeof cause?.code === 'string'
      ? cause.code
      : e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
        ? 'timeout'
        : 'network error';
  return new SyncError('retry', `Zendesk ${op} failed: ${code}`, { source: ZENDESK_SOURCE });
}

/** `data` checked against `schema`; an unexpected shape is a permanent failure. */
export function parseZendesk<T>(op: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    throw new SyncError('permanent', `Zendesk ${op} answered an unexpected shape`, {
      source: ZENDESK_SOURCE,
    });
  }
  return r.data;
}

const CLOSED_REFUSAL = /\bclosed prevents ticket update\b/i;

/**
 * Zendesk's answer to an update of a closed ticket: 422 RecordInvalid with a `status` detail
 * "Status: closed prevents ticket update" (Zendesk docs, "Ticket statuses"; also seen on the
 * wire without the colon).
 */
export function isClosedRefusal(body: unknown): boolean {
  const details = (body as { details?: { status?: unknown } } | null | undefined)?.details;
  const status = details?.status;
  return (
    Array.isArray(status) &&
    status.some(
      (d) =>
        typeof (d as { description?: unknown })?.description === 'string' &&
        CLOSED_REFUSAL.test((d as { description: string }).description),
    )
  );
}

/** A write to a closed ticket (read-only in Zendesk): permanent, logged and dropped. */
export function closedTicketError(op: string): SyncError {
  return new ReadOnlyTargetError(`Zendesk ${op}: the ticket is closed (read-only); write dropped`, {
    source: ZENDESK_SOURCE,
  });
}
