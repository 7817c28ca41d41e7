// Jira Cloud's burst rate limit, as the simulator enforces it on every API request.
//
// developer.atlassian.com/cloud/jira/platform/rate-limiting ("Request rate limits
// (per-second)", "Rate limit responses") and the 2025 announcement "Jira Cloud Burst API rate
// limits" (community.developer.atlassian.com/t/97202): API-token traffic is governed by burst
// limits, token buckets per tenant (and per endpoint and method), which allow short bursts
// and hold a sustained average. Answers carry X-RateLimit-Limit (the bucket's size),
// X-RateLimit-Remaining, X-RateLimit-Reset (ISO 8601: here, when the bucket is full again;
// on a 429 the request time plus Retry-After) and X-RateLimit-NearLimit: true under 20 %
// left; over the limit a 429 with Retry-After and RateLimit-Reason: jira-burst-based.
//
// Atlassian does not publish the thresholds. The default is an assumption: one bucket for
// the whole tenant (stricter than Jira's per-endpoint buckets) of 100 requests refilled at
// 40 a second, i.e. 2,400 requests a minute sustained. Configurable, or off with `false`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenBucket } from '../rate-limits';
import { envelope, send } from './wire';

export interface SimBurstLimit {
  /** Requests the bucket holds (X-RateLimit-Limit). */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly refillPerSecond: number;
}

export const JIRA_DEFAULT_BURST_LIMIT: SimBurstLimit = { capacity: 100, refillPerSecond: 40 };
export const BURST_REASON = 'jira-burst-based';
const NEAR_LIMIT_SHARE = 0.2;

/** The tenant's bucket (replaceable at run time; false: no limit). */
export class TenantBurstLimit {
  private bucket: TokenBucket | undefined;
  private refusedBefore = 0;

  constructor(
    limit: SimBurstLimit | false,
    private readonly now: () => number = Date.now,
  ) {
    this.set(limit);
  }

  set(limit: SimBurstLimit | false): void {
    this.refusedBefore += this.bucket?.rejections() ?? 0;
    this.bucket =
      limit === false
        ? undefined
        : new TokenBucket(limit.capacity, limit.refillPerSecond, this.now);
  }

  /** Requests refused so far. */
  rejections(): number {
    return this.refusedBefore + (this.bucket?.rejections() ?? 0);
  }

  /** onRequest hook: counts the request, sets the headers, or answers the 429. */
  hook(skip: (request: FastifyRequest) => boolean) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const bucket = this.bucket;
      if (bucket === undefined || skip(request)) return undefined;
      const a = bucket.admit();
      const now = this.now();
      const headers: Record<string, string> = {
        'x-ratelimit-limit': String(bucket.capacity),
        'x-ratelimit-remaining': String(a.remaining),
        'x-ratelimit-reset': new Date(a.ok ? a.resetAtMs : now + a.retryAfterMs).toISOString(),
      };
      if (a.remaining < bucket.capacity * NEAR_LIMIT_SHARE)
        headers['x-ratelimit-nearlimit'] = 'true';
      if (a.ok) {
        void reply.headers(headers);
        return undefined;
      }
      // Read the refused body first: answering mid-upload would reset the client's socket.
      await new Promise<void>((done) => {
        request.raw.once('end', done);
        request.raw.once('close', done);
        request.raw.resume();
      });
      return send(reply, {
        status: 429,
        json: envelope(['Rate limit exceeded.']),
        headers: {
          ...headers,
          'retry-after': String(Math.max(1, Math.ceil(a.retryAfterMs / 1000))),
          'ratelimit-reason': BURST_REASON,
        },
      });
    };
  }
}
