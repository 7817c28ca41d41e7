// What the route plugins share: state, auth, the rate-limit rule, faults, stats, the "down"
// switch and the instance's origin (known once it listens).
import type { Exchange } from '../exchange';
import { FaultRegistry } from '../faults';
import { ServiceNowAuth } from './auth';
import { DEFAULT_SYNC_FIELD } from './schema';
import { ServiceNowState } from './state';
import type { ServiceNowSimulatorOptions, SnSimStats } from './types';

/**
 * An inbound REST rate-limit rule for one user (inbound-REST-API-rate-limiting.md): a count
 * per hour, reset at the top of the hour; every answer carries X-RateLimit-Limit,
 * X-RateLimit-Reset (UNIX seconds) and X-RateLimit-Rule; a refused one is 429 with
 * Retry-After.
 */
export class HourlyLimit {
  private windowStart = 0;
  private count = 0;
  readonly ruleId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

  constructor(readonly perHour: number) {}

  admit(nowMs: number): { ok: boolean; resetS: number; retryAfterS: number } {
    const hour = 3_600_000;
    const start = Math.floor(nowMs / hour) * hour;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.count = 0;
    }
    const resetS = (start + hour) / 1000;
    const retryAfterS = Math.max(1, Math.ceil((start + hour - nowMs) / 1000));
    if (this.count >= this.perHour) return { ok: false, resetS, retryAfterS };
    this.count += 1;
    return { ok: true, resetS, retryAfterS };
  }
}

export interface SimContext {
  readonly state: ServiceNowState;
  readonly auth: ServiceNowAuth;
  readonly faults: FaultRegistry;
  readonly limit: HourlyLimit | undefined;
  readonly transactionQuotaMs: number;
  readonly userName: string;
  readonly password: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly syncField: string | null;
  readonly onExchange: ((ex: Exchange) => void) | undefined;
  stats: SnSimStats;
  down: boolean;
  base: string;
}

export function createContext(opts: ServiceNowSimulatorOptions): SimContext {
  const now = opts.now ?? (() => new Date());
  const userName = opts.userName ?? 'google.sync';
  const password = opts.password ?? 'sandbox-password';
  const clientId = opts.oauthClientId ?? 'google-sync-connector';
  const clientSecret = opts.oauthClientSecret ?? 'sandbox-oauth-secret';
  const syncField = opts.syncField === undefined ? DEFAULT_SYNC_FIELD : opts.syncField;
  const state = new ServiceNowState(
    now,
    syncField,
    { userName, name: 'Google Sync Connector' },
    {
      maxAttachmentMb: opts.maxAttachmentMb ?? 1024,
      roles: opts.roles ?? ['itil', 'sn_customerservice_agent'],
    },
  );
  return {
    state,
    auth: new ServiceNowAuth({
      userName,
      password,
      clientId,
      clientSecret,
      ttlSeconds: opts.tokenTtlSeconds ?? 1800,
      now,
    }),
    faults: new FaultRegistry(opts.random ?? Math.random),
    limit: opts.rateLimitPerHour !== undefined ? new HourlyLimit(opts.rateLimitPerHour) : undefined,
    transactionQuotaMs: opts.transactionQuotaMs ?? 60_000,
    userName,
    password,
    clientId,
    clientSecret,
    syncField,
    onExchange: opts.onExchange,
    stats: { requests: 0, byRoute: {} },
    down: false,
    base: '',
  };
}
