// How the Jira adapter talks to Jira: the jira.js Version3Client for JSON calls, each call
// classified (jira-errors.ts), checked against its schema, repeated inside the retry budget
// as its access allows (retry.ts), paced per issue when it writes (issue-write-limiter.ts),
// and paced as a whole by the site's burst limit (UpstreamBudget fed by every answer's
// X-RateLimit-* headers and 429s: ../http/upstream-budget.ts).
import { Version3Client, type RequestConfig } from 'jira.js';
import { z } from 'zod';
import { readJiraRateLimit } from '../http/rate-limit-headers';
import { UpstreamBudget } from '../http/upstream-budget';
import { withRetry, type RetryPolicy } from '../retry';
import {
  IssueWriteLimiter,
  JIRA_PER_ISSUE_WRITE_LIMITS,
  type WriteWindow,
} from './issue-write-limiter';
import { classifyJiraError, parseJiraResponse } from './jira-errors';
import { myselfSchema } from './jira-schemas';

export interface JiraClientOptions {
  /** `https://SITE.atlassian.net` or a simulator URL. */
  readonly baseUrl: string;
  readonly email: string;
  readonly apiToken: string;
  /** Per-request timeout (socket idle time for attachment streams). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /**
   * Retries within one call: time budget (default 20 s), attempts, and the clock and sleep
   * also used to pace writes per issue.
   */
  readonly retry?: RetryPolicy;
  /**
   * Writes allowed per issue (sliding windows); false turns pacing off. Default: Jira
   * Cloud's documented 20 per 2 s and 100 per 30 s.
   */
  readonly perIssueWriteLimits?: readonly WriteWindow[] | false;
  /** Safety margin added to each per-issue window. Default 200 ms. */
  readonly perIssueWriteMarginMs?: number;
  /**
   * The site's request budget (burst limit), fed by every answer's rate-limit headers.
   * Default: one of its own, on the retry clock; false turns pacing off.
   */
  readonly budget?: UpstreamBudget | false;
}

/** Every answer of a jira.js call, success or failure, as status and headers. */
type Observer = (status: number, headers: unknown) => void;

/**
 * Version3Client whose every request (all namespaces send through sendRequestFullResponse)
 * reports its answer's status and headers to `observe`: jira.js hands its callers the
 * body only, and the budget needs the X-RateLimit-* headers of successes too.
 */
class ObservedVersion3Client extends Version3Client {
  constructor(
    config: ConstructorParameters<typeof Version3Client>[0],
    private readonly observe: Observer,
  ) {
    super(config);
  }

  override async sendRequestFullResponse<T>(requestConfig: RequestConfig) {
    try {
      const res = await super.sendRequestFullResponse<T>(requestConfig);
      this.observe(res.status, res.headers);
      return res;
    } catch (e) {
      const res = (e as { response?: { status?: unknown; headers?: unknown } }).response;
      if (typeof res?.status === 'number') this.observe(res.status, res.headers);
      throw e;
    }
  }
}

/**
 * How a request may be repeated: `idempotent` on any transient failure, `refusals` only when
 * Jira refused it (rate-limited: nothing was written). `writeTo` paces it as a write to
 * that issue (each attempt takes a slot).
 */
export interface JiraAccess {
  readonly repeat: 'idempotent' | 'refusals';
  readonly writeTo?: string;
}
const READ: JiraAccess = { repeat: 'idempotent' };

export class JiraClient {
  readonly api: Version3Client;
  readonly baseUrl: string;
  /** `Basic …` header value (for the streamed attachment requests). */
  readonly authorization: string;
  readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly writeLimiter: IssueWriteLimiter | undefined;
  /** The site's burst-limit budget (undefined: pacing off). */
  readonly budget: UpstreamBudget | undefined;
  private myAccountId: Promise<string> | undefined;

  constructor(opts: JiraClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${opts.email}:${opts.apiToken}`).toString('base64')}`;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.retry = opts.retry ?? {};
    const limits = opts.perIssueWriteLimits ?? JIRA_PER_ISSUE_WRITE_LIMITS;
    this.writeLimiter =
      limits === false || limits.length === 0
        ? undefined
        : new IssueWriteLimiter(limits, {
            now: this.retry.now,
            sleep: this.retry.sleep,
            marginMs: opts.perIssueWriteMarginMs,
          });
    this.budget =
      opts.budget === false
        ? undefined
        : (opts.budget ??
          new UpstreamBudget({
            source: 'jira',
            read: readJiraRateLimit,
            now: this.retry.now,
            sleep: this.retry.sleep,
          }));
    this.api = new ObservedVersion3Client(
      {
        host: this.baseUrl,
        authentication: { basic: { email: opts.email, apiToken: opts.apiToken } },
        // axios does not retry; the queue does. Redirects are not followed for JSON calls.
        baseRequestConfig: { timeout: this.timeoutMs, maxRedirects: 0 },
      },
      (status, headers) => this.budget?.observe(status, headers),
    );
  }

  /** Sends one request inside the site's budget (waits for its slot, or refuses at once). */
  paced<R>(send: () => Promise<R>): Promise<R> {
    return this.budget === undefined ? send() : this.budget.run(send);
  }

  /** Waits for a write slot on this issue (no-op when pacing is off). */
  async acquireWrite(issue: string): Promise<void> {
    await this.writeLimiter?.acquire(issue);
  }

  /** One JSON call, checked against `schema`, repeated as `access` allows. */
  call<T>(
    op: string,
    schema: z.ZodType<T>,
    fn: () => Promise<unknown>,
    access: JiraAccess = READ,
  ): Promise<T> {
    return this.repeating(access.repeat, () => this.callOnce(op, schema, fn, access.writeTo));
  }

  async callVoid(op: string, fn: () => Promise<unknown>, access: JiraAccess): Promise<void> {
    await this.call(op, z.unknown(), fn, access);
  }

  /** One attempt: waits for a write slot on `writeTo`, sends, classifies, checks. */
  async callOnce<T>(
    op: string,
    schema: z.ZodType<T>,
    fn: () => Promise<unknown>,
    writeTo?: string,
  ): Promise<T> {
    if (writeTo !== undefined) await this.writeLimiter?.acquire(writeTo);
    let data: unknown;
    try {
      data = await this.paced(fn);
    } catch (e) {
      throw classifyJiraError(op, e);
    }
    return parseJiraResponse(op, schema, data);
  }

  repeating<R>(repeat: JiraAccess['repeat'], attempt: () => Promise<R>): Promise<R> {
    return withRetry(attempt, { ...this.retry, idempotent: repeat === 'idempotent' });
  }

  /** The connector's own account id (read once; a failure is not cached). */
  async connectorAccountId(): Promise<string> {
    this.myAccountId ??= this.call('GET myself', myselfSchema, () =>
      this.api.myself.getCurrentUser<unknown>({}),
    ).then(
      (me) => me.accountId,
      (e: unknown) => {
        this.myAccountId = undefined;
        throw e;
      },
    );
    return this.myAccountId;
  }
}
