// Retry-After, read once for every HTTP adapter (Google, Jira, the local queue): how long the
// server asked us to wait, and what a failed answer means for the queue once we know it.
import { kindForStatus, type ErrorKind } from '../../domain/errors';

/**
 * Seconds to wait from a Retry-After header value: delta-seconds (a decimal is rounded up)
 * or an HTTP-date, counted from `nowMs` and rounded up (never negative). Undefined when the
 * header is absent, empty or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * The kind of an HTTP failure (STYLE.md): kindForStatus, except that a 503 which says when
 * to come back (Retry-After, or an equivalent the adapter read) is a refusal, like a 429:
 * the queue slows down instead of backing off.
 */
export function httpErrorKind(status: number, retryAfterSeconds: number | undefined): ErrorKind {
  return status === 503 && retryAfterSeconds !== undefined ? 'rate-limited' : kindForStatus(status);
}

/**
 * One header of an upstream response or error, whatever shape the client gave it: a fetch
 * `Headers` (or anything with `get`), or a plain record (keys compared case-insensitively;
 * an array gives its first value, a number its decimal text).
 */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const getter = (headers as { get?: unknown }).get;
  const wanted = name.toLowerCase();
  let value: unknown;
  if (typeof getter === 'function') {
    value = (getter as (n: string) => unknown).call(headers, wanted);
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (k.toLowerCase() === wanted) {
        value = Array.isArray(v) ? (v as unknown[])[0] : v;
        break;
      }
    }
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
