// One base class for every error the connector raises on purpose. Upstream errors are
// classified once, in the adapters, into these kinds; the HTTP error handler maps them to
// Cloud Tasks semantics (STYLE.md): permanent → 200 + dropped, retry → 500, rate-limited → 503.

export type ErrorKind =
  /** Transient: 408, 5xx, network. The queue retries with backoff. */
  | 'retry'
  /** 429 (or 503 with Retry-After): slow the queue down. */
  | 'rate-limited'
  /** Will never succeed as is: 400, 401, 403, 404, bad input. Logged and dropped. */
  | 'permanent'
  /** Another worker holds the case, or an optimistic write lost: try again later. */
  | 'conflict';

export class SyncError extends Error {
  readonly kind: ErrorKind;
  /** Seconds the caller asked us to wait (Retry-After), when known. */
  readonly retryAfterSeconds?: number;
  /** Upstream HTTP status, when the error came from an API. */
  readonly status?: number;
  /** Which upstream system or component raised it. */
  readonly source?: string;

  constructor(
    kind: ErrorKind,
    message: string,
    opts: { retryAfterSeconds?: number; status?: number; source?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SyncError';
    this.kind = kind;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.status = opts.status;
    this.source = opts.source;
  }
}

/** Not found upstream (404). Permanent, but callers often want to branch on it. */
export class NotFoundError extends SyncError {
  constructor(message: string, opts: { source?: string; cause?: unknown } = {}) {
    super('permanent', message, { ...opts, status: 404 });
    this.name = 'NotFoundError';
  }
}

/** An upload larger than the target accepts (Jira 413 or the site's attachment limit). */
export class TooLargeError extends SyncError {
  readonly limitBytes?: number;
  constructor(
    message: string,
    opts: { limitBytes?: number; source?: string; cause?: unknown } = {},
  ) {
    super('permanent', message, { ...opts, status: 413 });
    this.name = 'TooLargeError';
    this.limitBytes = opts.limitBytes;
  }
}

/**
 * The target refuses every write to this ticket for good (a closed Zendesk ticket is
 * read-only). Permanent: the item it carried is logged and dropped, never retried, and the
 * rest of the pair (its other items, its closure) still syncs.
 */
export class ReadOnlyTargetError extends SyncError {
  constructor(message: string, opts: { source?: string; cause?: unknown } = {}) {
    super('permanent', message, { ...opts, status: 422 });
    this.name = 'ReadOnlyTargetError';
  }
}

/** Optimistic concurrency lost, or a lease is held by another worker. */
export class ConflictError extends SyncError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('conflict', message, { ...opts, source: 'store' });
    this.name = 'ConflictError';
  }
}

/** Classifies an HTTP status the way STYLE.md says. */
export function kindForStatus(status: number): ErrorKind {
  if (status === 429) return 'rate-limited';
  if (status === 408 || status >= 500) return 'retry';
  return 'permanent';
}
