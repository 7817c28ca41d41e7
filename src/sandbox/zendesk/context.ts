// What the route plugins share: state, auth, limits, faults, stats, the "down" switch and
// the two listeners' origins (known once they listen).
import { randomBytes } from 'node:crypto';
import type { Exchange } from '../exchange';
import { FaultRegistry } from '../faults';
import { ZendeskAuth } from './auth';
import { DEFAULT_TICKET_UPDATE_LIMIT, SlidingWindow } from './limits';
import { AccountRateLimit, ZENDESK_DEFAULT_ACCOUNT_LIMIT } from './account-limit';
import { ZendeskState } from './state';
import type { ZendeskSimStats, ZendeskSimulatorOptions } from './types';
import { wire, type Wire } from './wire';
import { ZendeskWebhooks } from './webhooks';

export interface SimContext {
  readonly state: ZendeskState;
  readonly auth: ZendeskAuth;
  readonly wire: Wire;
  readonly faults: FaultRegistry;
  readonly exportLimit: SlidingWindow;
  readonly updateLimit: SlidingWindow | undefined;
  /** The account's requests per minute (account-limit.ts). */
  readonly accountLimit: AccountRateLimit;
  readonly uploadLimit: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly email: string;
  readonly apiToken: string;
  readonly onExchange: ((ex: Exchange) => void) | undefined;
  /** Webhooks and the triggers that notify them (webhooks.ts). */
  readonly webhooks: ZendeskWebhooks;
  stats: ZendeskSimStats & { contentAuthRefusals: number };
  down: boolean;
  base: string;
  contentBase: string;
}

/** Zendesk docs, "Uploading files": 50 MB per file. */
const DEFAULT_UPLOAD_LIMIT = 50 * 1024 * 1024;

export function createContext(opts: ZendeskSimulatorOptions): SimContext {
  const now = opts.now ?? (() => new Date());
  const email = opts.email ?? 'connector@example.com';
  const apiToken = opts.apiToken ?? 'sandbox-api-token';
  const clientId = opts.oauthClientId ?? 'google_sync_connector';
  const clientSecret = opts.oauthClientSecret ?? 'sandbox-oauth-secret';
  const state = new ZendeskState(now, { name: 'Google Sync Connector', email }, () =>
    randomBytes(12).toString('hex'),
  );
  const limit = opts.perTicketUpdateLimit ?? DEFAULT_TICKET_UPDATE_LIMIT;
  const ctx: Omit<SimContext, 'webhooks'> & { webhooks?: ZendeskWebhooks } = {
    state,
    auth: new ZendeskAuth({
      clientId,
      clientSecret,
      ttlSeconds: opts.tokenTtlSeconds ?? 3600,
      email,
      apiToken,
      now,
    }),
    wire: wire(state, { base: () => ctx.base, content: () => ctx.contentBase }),
    faults: new FaultRegistry(opts.random ?? Math.random),
    exportLimit: new SlidingWindow(opts.exportRequestsPerMinute ?? 10, 60_000),
    updateLimit: limit === false ? undefined : new SlidingWindow(limit.updates, limit.perMs),
    accountLimit: new AccountRateLimit(opts.accountRateLimit ?? ZENDESK_DEFAULT_ACCOUNT_LIMIT),
    uploadLimit: opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT,
    clientId,
    clientSecret,
    email,
    apiToken,
    onExchange: opts.onExchange,
    stats: { requests: 0, byRoute: {}, contentAuthRefusals: 0 },
    down: false,
    base: '',
    contentBase: '',
  };
  ctx.webhooks = new ZendeskWebhooks(ctx as SimContext, {
    ...(opts.webhookRetryDelayMs !== undefined ? { retryDelayMs: opts.webhookRetryDelayMs } : {}),
  });
  return ctx as SimContext;
}
