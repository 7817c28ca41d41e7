// Classifies every failure of a Jira call into a SyncError, once: jira.js/axios errors, the
// answers of the streamed attachment requests, transport failures and unexpected shapes.
// Messages hold the operation and the HTTP status (or a network error code) only; the
// upstream error is never kept as `cause` (it holds headers and bodies).
import type { z } from 'zod';
import { NotFoundError, SyncError, TooLargeError } from '../../domain/errors';
import { headerValue, httpErrorKind, parseRetryAfter } from '../http/retry-after';

export const JIRA_SOURCE = 'jira';

/** The SyncError for an HTTP failure (message: operation + status, never the body). */
export function httpError(op: string, status: number, retryAfter?: string): SyncError {
  const message = `Jira ${op} failed with HTTP ${status}`;
  if (status === 404) return new NotFoundError(message, { source: JIRA_SOURCE });
  if (status === 413) return new TooLargeError(message, { source: JIRA_SOURCE });
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  return new SyncError(httpErrorKind(status, retryAfterSeconds), message, {
    status,
    retryAfterSeconds,
    source: JIRA_SOURCE,
  });
}

/** The SyncError for a transport failure (reset, refused, timeout…): retried. */
export function networkError(op: string, e: unknown): SyncError {
  if (e instanceof SyncError) return e;
  const code =
    typeof (e as { code?: unknown })?.code === 'string'
      ? (e as { code: string }).code
      : 'network error';
  return new SyncError('retry', `Jira ${op} failed: ${code}`, { source: JIRA_SOURCE });
}

function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const direct = (e as { status?: unknown }).status;
  const res = (e as { response?: { status?: unknown } }).response;
  const cause = (e as { cause?: { response?: { status?: unknown } } }).cause;
  for (const s of [cause?.response?.status, res?.status, direct])
    if (typeof s === 'number' && s > 0) return s;
  return undefined;
}

function retryAfterOf(e: unknown): string | undefined {
  return (
    headerValue(
      (e as { cause?: { response?: { headers?: unknown } } })?.cause?.response?.headers,
      'retry-after',
    ) ?? headerValue((e as { response?: { headers?: unknown } })?.response?.headers, 'retry-after')
  );
}

/** Classifies anything jira.js/axios throws. */
export function classifyJiraError(op: string, e: unknown): SyncError {
  if (e instanceof SyncError) return e;
  const isHttpException = e instanceof Error && e.name === 'HttpException';
  const hasResponse =
    typeof (e as { response?: unknown })?.response === 'object' ||
    typeof (e as { cause?: { response?: unknown } })?.cause?.response === 'object';
  const status = statusOf(e);
  if (status !== undefined && (hasResponse || isHttpException))
    return httpError(op, status, retryAfterOf(e));
  return networkError(op, e);
}

/** `data` checked against `schema`; an unexpected shape is a permanent failure. */
export function parseJiraResponse<T>(op: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    throw new SyncError('permanent', `Jira ${op} answered an unexpected shape`, {
      source: JIRA_SOURCE,
    });
  }
  return r.data;
}
