// What each upstream's rate-limit headers say, as UpstreamBudget readings (upstream-budget.ts).
// One reader per header scheme; a new upstream (ServiceNow) adds its own here.
import { headerValue, parseRetryAfter } from './retry-after';
import type { RateLimitReader, RateLimitReading } from './upstream-budget';

function intHeader(headers: unknown, name: string): number | undefined {
  const v = headerValue(headers, name);
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v);
}

function retryAfterMs(headers: unknown, nowMs: number): number | undefined {
  const s = parseRetryAfter(headerValue(headers, 'retry-after'), nowMs);
  return s === undefined ? undefined : s * 1000;
}

/**
 * Jira Cloud (developer.atlassian.com/cloud/jira/platform/rate-limiting, "Rate limit
 * responses"): `X-RateLimit-Limit` (the bucket's size), `X-RateLimit-Remaining` (tokens
 * left), `X-RateLimit-Reset` (an ISO 8601 instant: when the limit resets, which on a 429
 * is the request time plus Retry-After), `X-RateLimit-NearLimit: true` under 20 %, and on a
 * 429 `Retry-After` with `RateLimit-Reason`. The burst limits are token buckets (per
 * tenant, endpoint and method: one bucket is assumed here, the safe side). A 429 with
 * reason `jira-per-issue-on-write` concerns one issue (issue-write-limiter.ts paces those),
 * so it does not pause the upstream; one with another reason (burst, quota, cost) or with
 * no tokens left does.
 */
export const readJiraRateLimit: RateLimitReader = (status, headers, nowMs) => {
  const limit = intHeader(headers, 'x-ratelimit-limit');
  const remaining = intHeader(headers, 'x-ratelimit-remaining');
  const reset = headerValue(headers, 'x-ratelimit-reset');
  const resetAt = reset === undefined ? Number.NaN : Date.parse(reset);
  const reading: { -readonly [K in keyof RateLimitReading]: RateLimitReading[K] } = {};
  if (limit !== undefined && remaining !== undefined && limit > 0) {
    reading.info = {
      model: 'bucket',
      limit,
      remaining: Math.min(limit, remaining),
      ...(Number.isFinite(resetAt) ? { fullAtMs: resetAt } : {}),
    };
  }
  if (status === 429) {
    // The tenant's limits name themselves (a reason, or no tokens left); a bare 429 is left
    // to retry.ts's Retry-After for that request alone.
    const reason = headerValue(headers, 'ratelimit-reason');
    const tenantWide =
      reason !== undefined ? reason !== 'jira-per-issue-on-write' : remaining === 0;
    reading.refused = tenantWide ? 'upstream' : 'resource';
    const wait =
      retryAfterMs(headers, nowMs) ??
      (Number.isFinite(resetAt) ? Math.max(0, resetAt - nowMs) : undefined);
    if (wait !== undefined) reading.pauseMs = wait;
  }
  return reading;
};

/** Zendesk's account-wide limits are per minute (Rate limits → "requests per minute"). */
const ZENDESK_WINDOW_MS = 60_000;

/**
 * Zendesk Support (developer.zendesk.com/api-reference/introduction/rate-limits, "Monitoring
 * your request activity"): `X-Rate-Limit` and `X-Rate-Limit-Remaining` (the account's
 * requests per minute and what is left of the current minute), on Ticketing APIs also
 * `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (seconds until the
 * window resets); over the limit a 429 with `Retry-After`. Endpoint limits (the
 * incremental export's 10 per minute, a ticket's updates) answer 429 too while the
 * account still has requests left: those do not pause the account.
 */
export const readZendeskRateLimit: RateLimitReader = (status, headers, nowMs) => {
  const limit = intHeader(headers, 'x-rate-limit') ?? intHeader(headers, 'ratelimit-limit');
  const remaining =
    intHeader(headers, 'x-rate-limit-remaining') ?? intHeader(headers, 'ratelimit-remaining');
  const resetS = intHeader(headers, 'ratelimit-reset');
  const reading: { -readonly [K in keyof RateLimitReading]: RateLimitReading[K] } = {};
  if (limit !== undefined && remaining !== undefined && limit > 0) {
    reading.info = {
      model: 'window',
      limit,
      remaining: Math.min(limit, remaining),
      // Without ratelimit-reset, assume the whole minute is still ahead (the safe side).
      resetAtMs: nowMs + (resetS !== undefined ? resetS * 1000 : ZENDESK_WINDOW_MS),
      windowMs: ZENDESK_WINDOW_MS,
    };
  }
  if (status === 429) {
    // The account's limit says so (no requests left this minute); a 429 while requests
    // remain, or without the headers, is an endpoint's, left to retry.ts for that request.
    reading.refused = remaining !== undefined && remaining <= 0 ? 'upstream' : 'resource';
    const wait = retryAfterMs(headers, nowMs) ?? (resetS !== undefined ? resetS * 1000 : undefined);
    if (wait !== undefined) reading.pauseMs = wait;
  }
  return reading;
};

/**
 * Google APIs (Cloud Support API v2 included) send no rate-limit headers. A request over a
 * quota (per project and per minute, cloud.google.com/docs/quotas) is answered 429
 * RESOURCE_EXHAUSTED with a google.rpc.ErrorInfo detail whose reason is
 * RATE_LIMIT_EXCEEDED (cloud.google.com/apis/design/errors, "Error info"): only that pauses
 * the project's calls (its Retry-After when present, else the default pause). Any other 429
 * (no such detail, e.g. a front end's transient refusal) is left to retry.ts for that
 * request. Learning a limit from the 429s (the `learned` model) is opt-in.
 */
export const readGoogleRateLimit: RateLimitReader = (status, headers, nowMs, body) => {
  if (status !== 429) return {};
  if (!isGoogleQuotaRefusal(body)) return { refused: 'resource' };
  const wait = retryAfterMs(headers, nowMs);
  return wait === undefined ? { refused: 'upstream' } : { refused: 'upstream', pauseMs: wait };
};

/** Google's error envelope naming a quota: an ErrorInfo detail with reason RATE_LIMIT_EXCEEDED. */
function isGoogleQuotaRefusal(body: string | undefined): boolean {
  if (body === undefined) return false;
  try {
    const parsed = JSON.parse(body) as { error?: { details?: unknown } };
    const details = parsed.error?.details;
    return (
      Array.isArray(details) &&
      details.some(
        (d) =>
          typeof d === 'object' &&
          d !== null &&
          String((d as Record<string, unknown>)['@type']).endsWith('google.rpc.ErrorInfo') &&
          (d as Record<string, unknown>).reason === 'RATE_LIMIT_EXCEEDED',
      )
    );
  } catch {
    return false;
  }
}
