// How the ServiceNow adapter talks to the instance: Node's fetch, JSON in and out, one auth
// header (basic auth of the integration user, or an OAuth client-credentials token from
// /oauth_token.do, cached and renewed before `expires_in` and once on a 401), each call
// classified (servicenow-errors.ts), checked against its schema and repeated inside the
// retry budget as its access allows (retry.ts; 429 + Retry-After for every request, per
// inbound-REST-API-rate-limiting.md). Redirects are never followed with credentials.
import { z } from 'zod';
import { SyncError } from '../../domain/errors';
import { withRetry, type RetryPolicy } from '../retry';
import {
  envelopeOf,
  httpError,
  networkError,
  parseServiceNow,
  SERVICENOW_SOURCE,
  type Envelope,
} from './servicenow-errors';
import { listOf, tokenSchema, userSchema } from './servicenow-schemas';

export type ServiceNowAuth =
  | { readonly kind: 'basic'; readonly user: string; readonly password: string }
  | { readonly kind: 'oauth'; readonly clientId: string; readonly clientSecret: string };

export interface ServiceNowClientOptions {
  /** `https://INSTANCE.service-now.com` or a simulator URL. */
  readonly instanceUrl: string;
  readonly auth: ServiceNowAuth;
  /** Per-request timeout. Default 30 s (uploads: the transaction quota plus 10 s). */
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Epoch ms, for token expiry. Default retry.now or Date.now. */
  readonly now?: () => number;
  /** Renew an OAuth token this long before it expires. Default 60 s. */
  readonly tokenRenewMarginMs?: number;
  /** Called with ServiceNow's own message when it refuses a write (403). */
  readonly onRefusal?: (op: string, env: Envelope | null) => void;
}

/** `idempotent`: repeated on any transient failure; `refusals`: only on 429/503+Retry-After. */
export type Repeat = 'idempotent' | 'refusals';

export interface CallOptions {
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
  readonly repeat?: Repeat;
}

/** A JSON answer and the headers paging needs (Link, X-Total-Count). */
export interface Answer<T> {
  readonly data: T;
  readonly headers: Headers;
}

export interface Me {
  readonly sysId: string;
  readonly userName: string;
  readonly name: string;
}

interface CachedToken {
  readonly value: string;
  readonly renewAtMs: number;
}

const MAX_JSON = 16 * 1024 * 1024;

type Init = {
  headers?: Record<string, string>;
  body?: NonNullable<RequestInit['body']>;
  duplex?: 'half';
  timeoutMs?: number;
};

export class ServiceNowClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly now: () => number;
  private readonly retry: RetryPolicy;
  private token: Promise<CachedToken> | undefined;
  private me: Promise<Me> | undefined;

  constructor(private readonly opts: ServiceNowClientOptions) {
    this.baseUrl = opts.instanceUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.retry = opts.retry ?? {};
    this.now = opts.now ?? this.retry.now ?? Date.now;
  }

  get authKind(): ServiceNowAuth['kind'] {
    return this.opts.auth.kind;
  }

  async authorization(): Promise<string> {
    const auth = this.opts.auth;
    if (auth.kind === 'basic')
      return `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    const pending = this.token;
    if (pending !== undefined) {
      const cached = await pending.catch(() => undefined);
      if (cached !== undefined && this.now() < cached.renewAtMs) return `Bearer ${cached.value}`;
      if (this.token === pending) this.token = undefined;
    }
    this.token ??= this.fetchToken(auth);
    return `Bearer ${(await this.token).value}`;
  }

  private fetchToken(auth: Extract<ServiceNowAuth, { kind: 'oauth' }>): Promise<CachedToken> {
    const op = 'POST oauth_token.do';
    const p = this.repeating('idempotent', async () => {
      const startedAt = this.now();
      const res = await this.send(op, 'POST', '/oauth_token.do', {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: auth.clientId,
          client_secret: auth.clientSecret,
        }).toString(),
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw httpError(op, res.status, res.headers.get('retry-after'));
      }
      const t = parseServiceNow(op, tokenSchema, await readJson(res, op));
      const margin = this.opts.tokenRenewMarginMs ?? 60_000;
      const ttlMs = (t.expires_in ?? 1800) * 1000;
      return { value: t.access_token, renewAtMs: startedAt + Math.max(ttlMs / 2, ttlMs - margin) };
    });
    p.catch(() => {
      if (this.token === p) this.token = undefined;
    });
    return p;
  }

  /** One fetch with a timeout; transport failures become retryable SyncErrors. */
  async send(op: string, method: string, path: string, init: Init = {}): Promise<Response> {
    const { timeoutMs, ...rest } = init;
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs ?? this.timeoutMs),
        ...rest,
      } as RequestInit);
    } catch (e) {
      throw networkError(op, e);
    }
  }

  /** An authenticated request, sent once (a 401 renews an OAuth token and tries once more). */
  async fetchApi(
    op: string,
    method: string,
    path: string,
    init: Init = {},
    renew = true,
  ): Promise<Response> {
    const authorization = await this.authorization();
    const res = await this.send(op, method, path, {
      ...init,
      headers: { accept: 'application/json', ...init.headers, authorization },
    });
    if (res.status === 401 && renew && this.opts.auth.kind === 'oauth') {
      await res.body?.cancel().catch(() => undefined);
      this.token = undefined;
      return this.fetchApi(op, method, path, init, false);
    }
    return res;
  }

  /** The SyncError of a failed answer (its envelope read, bounded; a 403 reported). */
  async failure(op: string, res: Response): Promise<SyncError> {
    const text = await res.text().catch(() => '');
    const env = envelopeOf(text.slice(0, 64 * 1024));
    if (res.status === 403) this.opts.onRefusal?.(op, env);
    return httpError(op, res.status, res.headers.get('retry-after'), env);
  }

  call<T>(op: string, method: string, path: string, schema: z.ZodType<T>, o: CallOptions = {}) {
    return this.answer(op, method, path, schema, o).then((a) => a.data);
  }

  /** One JSON call with its headers, checked against `schema`, repeated as `repeat` allows. */
  answer<T>(
    op: string,
    method: string,
    path: string,
    schema: z.ZodType<T>,
    o: CallOptions = {},
  ): Promise<Answer<T>> {
    return this.repeating(o.repeat ?? 'idempotent', async () => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) qs.set(k, String(v));
      const full = qs.size > 0 ? `${path}?${qs.toString()}` : path;
      const res = await this.fetchApi(op, method, full, {
        ...(o.body !== undefined
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(o.body) }
          : {}),
      });
      if (!res.ok) throw await this.failure(op, res);
      const data = parseServiceNow(op, schema, res.status === 204 ? {} : await readJson(res, op));
      return { data, headers: res.headers };
    });
  }

  repeating<R>(repeat: Repeat, attempt: () => Promise<R>): Promise<R> {
    return withRetry(attempt, { ...this.retry, idempotent: repeat === 'idempotent' });
  }

  /**
   * The integration user, read once through the Table API's own example
   * `sys_id=javascript:gs.getUserID()` (c_TableAPI.md, sysparm_query); a failure is not cached.
   */
  connector(): Promise<Me> {
    this.me ??= this.call(
      'GET sys_user (me)',
      'GET',
      '/api/now/table/sys_user',
      listOf(userSchema),
      {
        query: {
          sysparm_query: 'sys_id=javascript:gs.getUserID()',
          sysparm_fields: 'sys_id,user_name,name',
          sysparm_limit: 1,
        },
      },
    ).then(
      ({ result }) => {
        const u = result[0];
        if (u === undefined)
          throw new SyncError('permanent', 'ServiceNow did not say who the integration user is', {
            source: SERVICENOW_SOURCE,
          });
        return { sysId: u.sys_id, userName: u.user_name, name: u.name || u.user_name };
      },
      (e: unknown) => {
        throw e;
      },
    );
    this.me.catch(() => {
      this.me = undefined;
    });
    return this.me;
  }
}

/** The JSON body of a response (bounded); a body that is not JSON is permanent. */
export async function readJson(res: Response, op: string): Promise<unknown> {
  const text = await res.text();
  if (text.length > MAX_JSON)
    throw new SyncError('permanent', `ServiceNow ${op} answered an oversized body`, {
      source: SERVICENOW_SOURCE,
    });
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new SyncError('permanent', `ServiceNow ${op} answered a body that is not JSON`, {
      source: SERVICENOW_SOURCE,
    });
  }
}

/** Whether a Link header offers a next page; null when the answer carries no Link header. */
export function hasNextLink(headers: Headers): boolean | null {
  const link = headers.get('link');
  if (link === null) return null;
  return /rel="?next"?/.test(link);
}

/** X-Total-Count (the count before ACLs), when present. */
export function totalCount(headers: Headers): number | undefined {
  const v = Number(headers.get('x-total-count') ?? 'NaN');
  return Number.isFinite(v) ? v : undefined;
}
