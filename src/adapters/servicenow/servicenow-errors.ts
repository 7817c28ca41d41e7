// Classifies every failure of a ServiceNow call into a SyncError, once. ServiceNow answers
// errors in one envelope, `{"error":{"message","detail"},"status":"failure"}`
// (reference/servicenow: inbound-REST-API-rate-limiting.md, c_AttachmentAPI.md). A 403 is
// an ACL, a data policy or a business rule refusing the write: its message is what the
// operator needs, so it is kept (bounded) in the error and logged; it is never retried.
// Other messages hold the operation and the status only.
import type { z } from 'zod';
import { NotFoundError, ReadOnlyTargetError, SyncError, TooLargeError } from '../../domain/errors';
import { httpErrorKind, parseRetryAfter } from '../http/retry-after';

export const SERVICENOW_SOURCE = 'servicenow';
const SOURCE = SERVICENOW_SOURCE;

export interface Envelope {
  readonly message: string;
  readonly detail: string;
}

const bounded = (s: string, n = 300): string => s.replace(/\s+/g, ' ').trim().slice(0, n);

/** The envelope of an error body, if it is one. */
export function envelopeOf(text: string): Envelope | null {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown; detail?: unknown } };
    const m = j.error?.message;
    const d = j.error?.detail;
    if (typeof m !== 'string') return null;
    return { message: bounded(m), detail: typeof d === 'string' ? bounded(d) : '' };
  } catch {
    return null;
  }
}

/** An upload the instance refused for its size (413, or a 400 saying so). */
export function isSizeRefusal(status: number, env: Envelope | null): boolean {
  if (status === 413) return true;
  const text = `${env?.message ?? ''} ${env?.detail ?? ''}`.toLowerCase();
  return status === 400 && /size|too large|exceed/.test(text);
}

/** The SyncError for an HTTP failure. */
export function httpError(
  op: string,
  status: number,
  retryAfter?: string | null,
  env: Envelope | null = null,
): SyncError {
  const message = `ServiceNow ${op} failed with HTTP ${status}`;
  if (status === 404) return new NotFoundError(message, { source: SOURCE });
  if (status === 413) return new TooLargeError(message, { source: SOURCE });
  if (status === 403) {
    const why = env ? `: ${env.message}${env.detail ? ` (${env.detail})` : ''}` : '';
    return new SyncError('permanent', `ServiceNow ${op} refused (HTTP 403)${why}`, {
      status,
      source: SOURCE,
    });
  }
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  return new SyncError(httpErrorKind(status, retryAfterSeconds), message, {
    status,
    retryAfterSeconds,
    source: SOURCE,
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
  return new SyncError('retry', `ServiceNow ${op} failed: ${code}`, { source: SOURCE });
}

/** `data` checked against `schema`; an unexpected shape is a permanent failure. */
export function parseServiceNow<T>(op: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success)
    throw new SyncError('permanent', `ServiceNow ${op} answered an unexpected shape`, {
      source: SOURCE,
    });
  return r.data;
}

/**
 * An item's write (a journal entry, a file) that the instance refused with 403 (a business
 * rule, a data policy, the write ACL of a closed record) as a ReadOnlyTargetError: that item
 * is dropped and recorded, never tried again, and the rest of the pair still syncs (SPEC
 * §6.2: "logged with ServiceNow's message and dropped, not retried forever"). Without it the
 * refusal dropped the whole sync task, the pair's other items waited behind it, and every
 * later sync of the pair sent the refused write again. Other errors pass through.
 */
export function refusedItem(e: unknown): unknown {
  if (!(e instanceof SyncError) || e.status !== 403) return e;
  return new ReadOnlyTargetError(e.message, { source: SOURCE, cause: e });
}

export function permanent(message: string): SyncError {
  return new SyncError('permanent', message, { source: SOURCE });
}
