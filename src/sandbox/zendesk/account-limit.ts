// Zendesk's account-wide rate limit, as the simulator enforces it on every API request.
//
// developer.zendesk.com/api-reference/introduction/rate-limits: the Support API allows a
// number of requests per minute for the whole account, by plan ("Zendesk Suite plan
// limits": Team 200, Growth 400, Professional 400, Enterprise 700, Enterprise Plus 2,500;
// the High Volume API add-on raises a plan to 2,500). Every answer carries X-Rate-Limit
// and X-Rate-Limit-Remaining (the requests left in the current minute); Ticketing APIs
// add ratelimit-limit, ratelimit-remaining and ratelimit-reset (seconds until the minute
// resets). Over the limit: 429 with Retry-After (seconds) and
// {"error":"APIRateLimitExceeded"}. Endpoint limits (the export, a ticket's updates:
// limits.ts) come on top, and answer 429 while the account still has requests left.
//
// Modelled as a fixed window per clock minute, on real time. Default: Enterprise (700 a
// minute); `plan` or `requestsPerMinute` choose another; false turns it off.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FixedWindow } from '../rate-limits';
import type { ZdReply } from './wire';

export const ZENDESK_PLAN_LIMITS = {
  team: 200,
  growth: 400,
  professional: 400,
  enterprise: 700,
  'enterprise-plus': 2500,
  'high-volume': 2500,
} as const;
export type ZendeskPlan = keyof typeof ZENDESK_PLAN_LIMITS;

export type SimAccountRateLimit =
  { readonly plan: ZendeskPlan } | { readonly requestsPerMinute: number };

export const ZENDESK_DEFAULT_ACCOUNT_LIMIT: SimAccountRateLimit = { plan: 'enterprise' };

function perMinute(limit: SimAccountRateLimit): number {
  return 'plan' in limit ? ZENDESK_PLAN_LIMITS[limit.plan] : limit.requestsPerMinute;
}

export class AccountRateLimit {
  private window: FixedWindow | undefined;
  private refusedBefore = 0;

  constructor(
    limit: SimAccountRateLimit | false,
    private readonly now: () => number = Date.now,
  ) {
    this.set(limit);
  }

  set(limit: SimAccountRateLimit | false): void {
    this.refusedBefore += this.window?.rejections() ?? 0;
    this.window = limit === false ? undefined : new FixedWindow(perMinute(limit), 60_000, this.now);
  }

  rejections(): number {
    return this.refusedBefore + (this.window?.rejections() ?? 0);
  }

  /** onRequest hook: counts the request, sets the headers, or answers the 429 (`send`). */
  hook(
    skip: (request: FastifyRequest) => boolean,
    send: (reply: FastifyReply, r: ZdReply) => FastifyReply,
  ) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const w = this.window;
      if (w === undefined || skip(request)) return undefined;
      const a = w.admit();
      const resetS = Math.max(1, Math.ceil((a.resetAtMs - this.now()) / 1000));
      const headers: Record<string, string> = {
        'x-rate-limit': String(w.limit),
        'x-rate-limit-remaining': String(a.remaining),
        'ratelimit-limit': String(w.limit),
        'ratelimit-remaining': String(a.remaining),
        'ratelimit-reset': String(resetS),
      };
      if (a.ok) {
        void reply.headers(headers);
        return undefined;
      }
      await new Promise<void>((done) => {
        request.raw.once('end', done);
        request.raw.once('close', done);
        request.raw.resume();
      });
      return send(reply, {
        status: 429,
        json: {
          error: 'APIRateLimitExceeded',
          description: 'Number of allowed API requests per minute exceeded',
        },
        headers: { ...headers, 'retry-after': String(resetS) },
      });
    };
  }
}
