// The Cloud Support API's per-project request quota, as the simulator enforces it.
//
// Google Cloud quotas (cloud.google.com/docs/quotas/overview; "Rate quotas": requests per
// minute per project) answer a request over the quota with HTTP 429 and the error
// envelope of cloud.google.com/apis/design/errors: status RESOURCE_EXHAUSTED and a
// google.rpc.ErrorInfo detail (reason RATE_LIMIT_EXCEEDED, domain googleapis.com, the
// quota metric, limit and service in its metadata). Google sends no rate-limit headers
// and, for quota errors, usually no Retry-After: clients back off and retry.
//
// The Cloud Support API's quota is not published (the project's console shows it under
// APIs & Services > Cloud Support API > Quotas). Assumption: 600 requests per minute per
// project, as a rolling minute on real time; `requestsPerMinute` chooses another value,
// false turns it off.
import { RollingWindow } from '../rate-limits';

export interface SimProjectQuota {
  readonly requestsPerMinute: number;
}

export const GOOGLE_DEFAULT_PROJECT_QUOTA: SimProjectQuota = { requestsPerMinute: 600 };

const SERVICE = 'cloudsupport.googleapis.com';

export class ProjectQuota {
  private window: RollingWindow | undefined;
  private refusedBefore = 0;

  constructor(
    quota: SimProjectQuota | false,
    private readonly now: () => number = Date.now,
  ) {
    this.set(quota);
  }

  set(quota: SimProjectQuota | false): void {
    this.refusedBefore += this.window?.rejections() ?? 0;
    this.window =
      quota === false ? undefined : new RollingWindow(quota.requestsPerMinute, 60_000, this.now);
  }

  rejections(): number {
    return this.refusedBefore + (this.window?.rejections() ?? 0);
  }

  /** Counts one request; over the quota, the JSON body of the 429 to answer. */
  admit(): { readonly error: Record<string, unknown> } | undefined {
    const w = this.window;
    if (w === undefined || w.admit().ok) return undefined;
    return {
      error: {
        code: 429,
        message: `Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service '${SERVICE}' for consumer 'project_number:000000000000'.`,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: {
              service: SERVICE,
              quota_metric: `${SERVICE}/requests`,
              quota_limit: 'RequestsPerMinutePerProject',
              quota_limit_value: String(w.limit),
              consumer: 'projects/000000000000',
            },
          },
        ],
      },
    };
  }
}
