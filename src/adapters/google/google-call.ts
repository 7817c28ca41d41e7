// How GoogleSupportCases sends one Cloud Support call: per-call options (root URL, abort
// signal), a timer that aborts a call that takes too long (or, for uploads, stalls), the
// failure classified once (google-errors.ts), the answer checked against its schema, and
// the call repeated inside the retry budget as its kind allows (retry.ts), each attempt
// paced by the project's request budget (UpstreamBudget: Google sends no rate-limit
// headers, so a 429 pauses the project's calls; ../http/upstream-budget.ts).
import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { z } from 'zod';
import { SyncError } from '../../domain/errors';
import type { MethodOptions } from 'googleapis/build/src/apis/cloudsupport';
import { readGoogleRateLimit } from '../http/rate-limit-headers';
import { UpstreamBudget } from '../http/upstream-budget';
import { withRetry, type RetryPolicy } from '../retry';
import { badResponse, classifyGoogleError, GoogleTimeoutError } from './google-errors';

/**
 * How a call may be repeated: `idempotent` on any transient failure, `refusals` only when
 * the server refused it (rate-limited: nothing was written), `never` (a spent upload body).
 */
export type Repeat = 'idempotent' | 'refusals' | 'never';

export interface Call {
  readonly opts: MethodOptions;
  /** Restarts the timer (upload progress). */
  readonly touch: () => void;
  /** Aborts the request (classified as a timeout unless the caller knows better). */
  readonly abort: () => void;
}

/** The project's Cloud Support request budget, on the retry policy's clock. */
export function googleBudget(retry: RetryPolicy): UpstreamBudget {
  return new UpstreamBudget({
    source: 'google',
    read: readGoogleRateLimit,
    now: retry.now,
    sleep: retry.sleep,
  });
}

/**
 * A fetch that reports every answer's status and headers to `budget` (googleapis hands its
 * callers the body, and its errors, not every answer).
 */
export function observedFetch(fetchImpl: typeof fetch, budget: UpstreamBudget): typeof fetch {
  return async (input, init) => {
    const res = await fetchImpl(input, init);
    // A refusal's body says whether it is the project's quota (readGoogleRateLimit); a
    // clone, so googleapis still reads the original.
    const body =
      res.status === 429
        ? await res
            .clone()
            .text()
            .catch(() => undefined)
        : undefined;
    budget.observe(res.status, res.headers, body);
    return res;
  };
}

export class GoogleCaller {
  constructor(
    private readonly rootUrl: string | undefined,
    private readonly timeoutMs: number,
    private readonly retry: RetryPolicy,
    /** Paces every attempt (undefined: off). Its answers come from observedFetch. */
    private readonly budget?: UpstreamBudget,
  ) {}

  /** One API call returning JSON, checked against `schema`, repeated as `repeat` allows. */
  async json<T>(
    method: string,
    schema: z.ZodType<T>,
    fn: (call: Call) => Promise<{ data: unknown }>,
    repeat: Repeat = 'idempotent',
  ): Promise<T> {
    const res = await this.repeat(repeat, () => this.run(method, fn));
    const parsed = schema.safeParse(res.data);
    if (!parsed.success) throw badResponse(method);
    return parsed.data;
  }

  repeat<R>(repeat: Repeat, attempt: () => Promise<R>): Promise<R> {
    if (repeat === 'never') return attempt();
    return withRetry(attempt, { ...this.retry, idempotent: repeat === 'idempotent' });
  }

  /**
   * Runs one call with the per-call options (root URL, abort signal) and classifies its
   * failure. The timer stops when the call resolves (for streams: at the headers).
   */
  async run<R>(method: string, fn: (call: Call) => Promise<R>): Promise<R> {
    // The budget's wait comes before the timer; its refusal is a SyncError already.
    if (this.budget !== undefined) return this.budget.run(() => this.timed(method, fn));
    return this.timed(method, fn);
  }

  private async timed<R>(method: string, fn: (call: Call) => Promise<R>): Promise<R> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    if (this.timeoutMs > 0) {
      timer = setTimeout(() => controller.abort(new GoogleTimeoutError()), this.timeoutMs);
    }
    let settled = false;
    const opts: MethodOptions = { signal: controller.signal };
    if (this.rootUrl !== undefined) opts.rootUrl = this.rootUrl;
    try {
      return await fn({
        opts,
        // refresh() would re-arm a cleared timer: only while the call is running.
        touch: () => {
          if (!settled) timer?.refresh();
        },
        abort: () => controller.abort(new GoogleTimeoutError()),
      });
    } catch (e) {
      if (controller.signal.aborted) throw classifyGoogleError(method, new GoogleTimeoutError());
      throw classifyGoogleError(method, e);
    } finally {
      settled = true;
      if (timer) clearTimeout(timer);
    }
  }
}

/** The next page token; a token seen before is a bad answer (it would loop forever). */
export function nextToken(
  token: string | undefined,
  seen: Set<string>,
  method: string,
): string | undefined {
  if (!token) return undefined;
  if (seen.has(token)) throw badResponse(method); // a repeated token would loop forever
  seen.add(token);
  return token;
}

/**
 * A media download's body (a Node or web stream, or nothing) as one Readable whose failure
 * mid-stream is a retryable SyncError.
 */
export function mediaStream(data: unknown): Readable {
  let source: Readable;
  if (data instanceof Readable) source = data;
  else if (
    data !== null &&
    typeof data === 'object' &&
    typeof (data as { getReader?: unknown }).getReader === 'function'
  ) {
    source = Readable.fromWeb(data as WebReadableStream<Uint8Array>);
  } else if (data === null || data === undefined || data === '') source = Readable.from([]);
  else throw badResponse('media.download');
  const out = new PassThrough();
  source.on('error', () => {
    out.destroy(
      new SyncError('retry', 'Cloud Support media.download failed: stream interrupted', {
        source: 'google',
      }),
    );
  });
  out.on('close', () => {
    if (!source.readableEnded) source.destroy();
  });
  source.pipe(out);
  return out;
}
