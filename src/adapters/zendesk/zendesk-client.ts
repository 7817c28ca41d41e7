// How the Zendesk adapter talks to Zendesk: Node's fetch, JSON in and out, one auth header
// (an OAuth client-credentials token, cached and renewed before `expires_in` and once on a
// 401, or legacy `EMAIL/token:API_TOKEN` basic auth), each call classified
// (zendesk-errors.ts), checked against its schema and repeated inside the retry budget as
// its access allows (retry.ts). Redirects are never followed with credentials. Requests to
// the account's origin are paced by its requests-per-minute budget (UpstreamBudget fed by
// every answer's X-Rate-Limit headers and 429s: ../http/upstream-budget.ts).
import { z } from 'zod';
import { readZendeskRateLimit } from '../http/rate-limit-headers';
import { UpstreamBudget } from '../http/upstream-budget';
import { withRetry, type RetryPolicy } from '../retry';
import { httpError, networkError, parseZendesk, ZENDESK_SOURCE } from './zendesk-errors';
import { meSchema, tokenSchema } from './zendesk-schemas';
import { SyncError } from '../../domain/errors';

export type ZendeskAuth =
  | { readonly kind: 'oauth'; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: 'token'; readonly email: string; readonly apiToken: string };

export interface ZendeskClientOptions {
  /** `https://SUBDOMAIN.zendesk.com` or a simulator URL. */
  readonly baseUrl: string;
  readonly auth: ZendeskAuth;
  /** Per-request timeout. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Retries within one call (budget, attempts, clock, sleep). */
  readonly retry?: RetryPolicy;
  /** Epoch ms, for token expiry and the export's start time. Default retry.now or Date.now. */
  readonly now?: () => number;
  /** Renew an OAuth token this long before it expires. Default 60 s. */
  readonly tokenRenewMarginMs?: number;
  /**
   * The account's request budget, fed by every answer's rate-limit headers. Default: one of
   * its own, on the retry clock; false turns pacing off.
   */
  readonly budget?: UpstreamBudget | false;
}

/** `idempotent`: repeated on any transient failure; `refusals`: only on 429/503+Retry-After. */
export type Repeat = 'idempotent' | 'refusals';

export interface CallOptions {
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
  readonly repeat?: Repeat;
}

interface CachedToken {
  readonly value: string;
  readonly renewAtMs: number;
}

export class ZendeskClient {
  readonly baseUrl: string;
  readonly origin: string;
  readonly timeoutMs: number;
  readonly now: () => number;
  private readonly retry: RetryPolicy;
  /** The account's requests-per-minute budget (undefined: pacing off). */
  readonly budget: UpstreamBudget | undefined;
  private token: Promise<CachedToken> | undefined;
  private me: Promise<{ id: number; name: string }> | undefined;

  constructor(private readonly opts: ZendeskClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.retry = opts.retry ?? {};
    this.now = opts.now ?? this.retry.now ?? Date.now;
    this.budget =
      opts.budget === false
        ? undefined
        : (opts.budget ??
          new UpstreamBudget({
            source: 'zendesk',
            read: readZendeskRateLimit,
            now: this.now,
            sleep: this.retry.sleep,
          }));
  }

  get authKind(): ZendeskAuth['kind'] {
    return this.opts.auth.kind;
  }

  /** The Authorization header value (fetching or renewing the OAuth token when due). */
  async authorization(): Promise<string> {
    const auth = this.opts.auth;
    if (auth.kind === 'token') {
      return `Basic ${Buffer.from(`${auth.email}/token:${auth.apiToken}`).toString('base64')}`;
    }
    const pending = this.token;
    if (pending !== undefined) {
      const cached = await pending.catch(() => undefined);
      if (cached !== undefined && this.now() < cached.renewAtMs) return `Bearer ${cached.value}`;
      if (this.token === pending) this.token = undefined;
    }
    this.token ??= this.fetchToken(auth);
    return `Bearer ${(await this.token).value}`;
  }

  /** Forgets the OAuth token (after a 401), so the next request gets a new one. */
  invalidateToken(): void {
    this.token = undefined;
  }

  private fetchToken(auth: Extract<ZendeskAuth, { kind: 'oauth' }>): Promise<CachedToken> {
    const p = this.repeating('idempotent', async () => {
      const startedAt = this.now();
      const res = await this.send('POST oauth/tokens', 'POST', '/oauth/tokens', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: auth.clientId,
          client_secret: auth.clientSecret,
          scope: 'read write',
        }),
      });
      if (!res.ok) throw httpError('POST oauth/tokens', res.status, res.headers.get('retry-after'));
      const t = parseZendesk('POST oauth/tokens', tokenSchema, await readJson(res, 'oauth'));
      const margin = this.opts.tokenRenewMarginMs ?? 60_000;
      const ttlMs = (t.expires_in ?? 3600) * 1000;
      return { value: t.access_token, renewAtMs: startedAt + Math.max(ttlMs / 2, ttlMs - margin) };
    });
    p.catch(() => {
      if (this.token === p) this.token = undefined;
    });
    return p;
  }

  /** One fetch with a timeout; transport failures become retryable SyncErrors. */
  async send(
    op: string,
    method: string,
    pathOrUrl: string,
    init: {
      headers?: Record<string, string>;
      body?: NonNullable<RequestInit['body']>;
      duplex?: 'half';
    } = {},
  ): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const request = async (): Promise<Response> => {
      try {
        return await fetch(url, {
          method,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
          ...init,
        } as RequestInit);
      } catch (e) {
        throw networkError(op, e);
      }
    };
    // The attachment host (another origin) is not the account's API: not in its budget.
    const budget = new URL(url).origin === this.origin ? this.budget : undefined;
    if (budget === undefined) return request();
    const res = await budget.run(request);
    budget.observe(res.status, res.headers);
    return res;
  }

  /** Sends an authenticated API request once (a 401 renews an OAuth token and tries once more). */
  async fetchApi(
    op: string,
    method: string,
    path: string,
    init: {
      headers?: Record<string, string>;
      body?: NonNullable<RequestInit['body']>;
      duplex?: 'half';
    } = {},
    renewOn401 = true,
  ): Promise<Response> {
    const authorization = await this.authorization();
    const res = await this.send(op, method, path, {
      ...init,
      headers: { accept: 'application/json', ...init.headers, authorization },
    });
    if (res.status === 401 && renewOn401 && this.opts.auth.kind === 'oauth') {
      await res.body?.cancel().catch(() => undefined);
      this.invalidateToken();
      return this.fetchApi(op, method, path, init, false);
    }
    return res;
  }

  /** One JSON call, checked against `schema`, repeated as `repeat` allows. */
  call<T>(op: string, method: string, path: string, schema: z.ZodType<T>, o: CallOptions = {}) {
    return this.repeating(o.repeat ?? 'idempotent', () =>
      this.callOnce(op, method, path, schema, o),
    );
  }

  async callOnce<T>(
    op: string,
    method: string,
    path: string,
    schema: z.ZodType<T>,
    o: CallOptions = {},
  ): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const full = qs.size > 0 ? `${path}?${qs.toString()}` : path;
    const res = await this.fetchApi(op, method, full, {
      ...(o.body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(o.body) }
        : {}),
    });
    if (!res.ok) {
      // A 422's body says why (a closed ticket's refusal is told apart); others are dropped.
      const body =
        res.status === 422
          ? await readJson(res, op).catch(() => undefined)
          : await res.body?.cancel().catch(() => undefined);
      throw httpError(op, res.status, res.headers.get('retry-after'), body);
    }
    return parseZendesk(op, schema, res.status === 204 ? {} : await readJson(res, op));
  }

  repeating<R>(repeat: Repeat, attempt: () => Promise<R>): Promise<R> {
    return withRetry(attempt, { ...this.retry, idempotent: repeat === 'idempotent' });
  }

  /** The API identity (`/api/v2/users/me`), read once; a failure is not cached. */
  connector(): Promise<{ id: number; name: string }> {
    this.me ??= this.call('GET users/me', 'GET', '/api/v2/users/me', meSchema).then(
      ({ user }) => ({ id: user.id, name: user.name ?? 'Zendesk API user' }),
      (e: unknown) => {
        this.me = undefined;
        throw e;
      },
    );
    return this.me;
  }
}

const MAX_JSON = 8 * 1024 * 1024;

/** The JSON body of a response (bounded); a body that is not JSON is permanent. */
export async function readJson(res: Response, op: string): Promise<unknown> {
  const text = await res.text();
  if (text.length > MAX_JSON) {
    throw new SyncError('permanent', `Zendesk ${op} answered an oversized body`, {
      source: ZENDESK_SOURCE,
    });
  }
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new SyncError('permanent', `Zendesk ${op} answered a body that is not JSON`, {
      source: ZENDESK_SOURCE,
    });
  }
}
