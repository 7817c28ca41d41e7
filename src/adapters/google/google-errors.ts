// Classifies every failure of a Cloud Support call into a SyncError, once. Messages hold
// the API method and the HTTP status (or a network error code) only: never bodies, case
// text, file names or credentials. The upstream error is not attached as `cause` because
// it carries the request (comment bodies, file names) and would end up in logs.
import { NotFoundError, SyncError } from '../../domain/errors';
import { headerValue, httpErrorKind, parseRetryAfter } from '../http/retry-after';

const SOURCE = 'google';

/** Raised by the adapter's own timers; classified as a retry. */
export class GoogleTimeoutError extends Error {
  constructor() {
    super('request timed out');
    this.name = 'GoogleTimeoutError';
  }
}

interface HttpishError {
  status?: unknown;
  code?: unknown;
  response?: { status?: unknown; headers?: unknown; data?: unknown };
  cause?: unknown;
}

/**
 * The delay of a `google.rpc.RetryInfo` detail in a Google error body
 * (`{"error": {"details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
 * "retryDelay": "17s"}]}}`), in whole seconds, rounded up. Google APIs send it with
 * RESOURCE_EXHAUSTED / UNAVAILABLE when they know how long to wait; Retry-After wins.
 */
function retryInfoSeconds(data: unknown): number | undefined {
  let body = data;
  if (typeof body === 'string') {
    if (body.length > 64 * 1024) return undefined;
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  const details = (body as { error?: { details?: unknown } } | null)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const d of details as unknown[]) {
    if (d === null || typeof d !== 'object') continue;
    const type = (d as Record<string, unknown>)['@type'];
    const delay = (d as Record<string, unknown>)['retryDelay'];
    if (typeof type !== 'string' || !type.endsWith('google.rpc.RetryInfo')) continue;
    // JSON form of google.protobuf.Duration: "17s", "1.500s".
    if (typeof delay === 'string' && /^\d+(\.\d+)?s$/.test(delay))
      return Math.ceil(Number(delay.slice(0, -1)));
  }
  return undefined;
}

function networkCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    if (current instanceof GoogleTimeoutError) return 'timeout';
    const e = current as HttpishError & { name?: unknown };
    if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'aborted';
    current = e.cause;
  }
  return 'unknown';
}

/** Turns anything a Cloud Support call threw into a SyncError. */
export function classifyGoogleError(
  method: string,
  err: unknown,
  nowMs: number = Date.now(),
): SyncError {
  if (err instanceof SyncError) return err;
  const e = (err !== null && typeof err === 'object' ? err : {}) as HttpishError;
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  if (status !== undefined) {
    const message = `Cloud Support ${method} failed: HTTP ${status}`;
    if (status === 404) return new NotFoundError(message, { source: SOURCE });
    const retryAfterSeconds =
      parseRetryAfter(headerValue(e.response?.headers, 'retry-after'), nowMs) ??
      (status === 429 || status === 503 ? retryInfoSeconds(e.response?.data) : undefined);
    return new SyncError(httpErrorKind(status, retryAfterSeconds), message, {
      status,
      retryAfterSeconds,
      source: SOURCE,
    });
  }
  return new SyncError(
    'retry',
    `Cloud Support ${method} failed: network error (${networkCode(err)})`,
    {
      source: SOURCE,
    },
  );
}

/** Upstream JSON that does not have the shape the API documents. */
export function badResponse(method: string): SyncError {
  return new SyncError('permanent', `Cloud Support ${method} failed: unexpected response shape`, {
    source: SOURCE,
  });
}
