// UpstreamBudget (src/adapters/http/upstream-budget.ts) and the header readers
// (rate-limit-headers.ts) on a fake clock: a sleep moves the clock, nothing waits for real.
import {
  readGoogleRateLimit,
  readJiraRateLimit,
  readZendeskRateLimit,
} from '../../src/adapters/http/rate-limit-headers';
import {
  UpstreamBudget,
  UpstreamPausedError,
  type RateLimitReader,
} from '../../src/adapters/http/upstream-budget';
import { withRetry } from '../../src/adapters/retry';
import { SyncError } from '../../src/domain/errors';
import { FakeClock, T0 } from '../support/fake-clock';

function budgetOn(clock: FakeClock, read: RateLimitReader, maxWaitMs = 3_000, learnLimit = false) {
  const slept: number[] = [];
  const budget = new UpstreamBudget({
    source: 'test',
    read,
    now: () => clock.ms,
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
    maxWaitMs,
    learnLimit,
  });
  return { budget, slept };
}

/** One call through the budget, answered with `status` and `headers`. */
async function call(
  budget: UpstreamBudget,
  status: number,
  headers: Record<string, string>,
): Promise<void> {
  await budget.run(async () => {
    budget.observe(status, headers);
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Google's answer over a project quota (cloud.google.com/apis/design/errors). */
const GOOGLE_QUOTA_BODY = JSON.stringify({
  error: {
    code: 429,
    status: 'RESOURCE_EXHAUSTED',
    message: 'Quota exceeded',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
      },
    ],
  },
});

describe('rate-limit header readers', () => {
  const now = T0.getTime();

  it('reads Jira burst headers as a bucket, and scopes its 429s', () => {
    const ok = readJiraRateLimit(
      200,
      {
        'X-RateLimit-Limit': '100',
        'X-RateLimit-Remaining': '15',
        'X-RateLimit-Reset': iso(now + 2_000),
        'X-RateLimit-NearLimit': 'true',
      },
      now,
    );
    expect(ok).toEqual({
      info: { model: 'bucket', limit: 100, remaining: 15, fullAtMs: now + 2_000 },
    });
    expect(
      readJiraRateLimit(
        429,
        { 'Retry-After': '3', 'RateLimit-Reason': 'jira-burst-based', 'X-RateLimit-Limit': '100' },
        now,
      ),
    ).toEqual({ refused: 'upstream', pauseMs: 3_000 });
    expect(
      readJiraRateLimit(
        429,
        { 'Retry-After': '2', 'RateLimit-Reason': 'jira-per-issue-on-write' },
        now,
      ),
    ).toEqual({ refused: 'resource', pauseMs: 2_000 });
    // A bare 429 (no reason, no headers) is that request's: not a pause of the tenant.
    expect(readJiraRateLimit(429, { 'Retry-After': '1' }, now)).toEqual({
      refused: 'resource',
      pauseMs: 1_000,
    });
    // Unreadable values are ignored, not guessed.
    expect(
      readJiraRateLimit(200, { 'X-RateLimit-Limit': 'lots', 'X-RateLimit-Remaining': '1' }, now),
    ).toEqual({});
  });

  it('reads Zendesk account headers as a per-minute window; an endpoint 429 does not pause', () => {
    expect(
      readZendeskRateLimit(
        200,
        {
          'x-rate-limit': '700',
          'x-rate-limit-remaining': '699',
          'ratelimit-limit': '700',
          'ratelimit-remaining': '699',
          'ratelimit-reset': '41',
        },
        now,
      ),
    ).toEqual({
      info: {
        model: 'window',
        limit: 700,
        remaining: 699,
        resetAtMs: now + 41_000,
        windowMs: 60_000,
      },
    });
    const account = readZendeskRateLimit(
      429,
      { 'x-rate-limit': '700', 'x-rate-limit-remaining': '0', 'retry-after': '12' },
      now,
    );
    expect(account.refused).toBe('upstream');
    expect(account.pauseMs).toBe(12_000);
    const endpoint = readZendeskRateLimit(
      429,
      { 'x-rate-limit': '700', 'x-rate-limit-remaining': '650', 'retry-after': '30' },
      now,
    );
    expect(endpoint.refused).toBe('resource');
    expect(readZendeskRateLimit(429, { 'retry-after': '1' }, now).refused).toBe('resource');
  });

  it('reads a Google 429 as the project quota only when its ErrorInfo says RATE_LIMIT_EXCEEDED', () => {
    const quota = GOOGLE_QUOTA_BODY;
    const bare = JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    expect(readGoogleRateLimit(200, {}, now)).toEqual({});
    expect(readGoogleRateLimit(429, {}, now, quota)).toEqual({ refused: 'upstream' });
    expect(readGoogleRateLimit(429, { 'retry-after': '7' }, now, quota)).toEqual({
      refused: 'upstream',
      pauseMs: 7_000,
    });
    // Without the quota's detail (or unread, or not JSON): that request's retry only.
    expect(readGoogleRateLimit(429, { 'retry-after': '7' }, now, bare)).toEqual({
      refused: 'resource',
    });
    expect(readGoogleRateLimit(429, {}, now)).toEqual({ refused: 'resource' });
    expect(readGoogleRateLimit(429, {}, now, '<html>')).toEqual({ refused: 'resource' });
  });
});

describe('UpstreamBudget', () => {
  it('lets calls through unpaced while the bucket is above its reserve', async () => {
    const clock = new FakeClock();
    const { budget, slept } = budgetOn(clock, readJiraRateLimit);
    await call(budget, 200, { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '99' });
    for (let i = 0; i < 50; i++) await budget.run(async () => undefined);
    expect(slept).toEqual([]);
    expect(budget.stats()).toMatchObject({ calls: 51, paced: 0, refused: 0 });
  });

  it('paces a bucket near its limit at the refill rate the reset time gives', async () => {
    const clock = new FakeClock();
    const { budget, slept } = budgetOn(clock, readJiraRateLimit);
    // 20 tokens left of 100, full again in 2 s: 40 tokens a second (one per 25 ms).
    await call(budget, 200, {
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Remaining': '20',
      'X-RateLimit-Reset': iso(clock.ms + 2_000),
    });
    const t0 = clock.ms;
    for (let i = 0; i < 40; i++) await budget.run(async () => undefined);
    // 40 calls at 40/s take about a second, none of them below the reserve.
    expect(clock.ms - t0).toBeGreaterThanOrEqual(950);
    expect(clock.ms - t0).toBeLessThanOrEqual(1_100);
    expect(slept.length).toBeGreaterThanOrEqual(39);
  });

  it('measures the refill between answers when the upstream gives no reset time', async () => {
    const clock = new FakeClock();
    const { budget } = budgetOn(clock, readJiraRateLimit);
    // A server bucket of 100 refilled at 10/s, drained to 20, answering every call.
    let tokens = 20;
    let last = clock.ms;
    const serve = async () =>
      budget.run(async () => {
        tokens = Math.min(100, tokens + ((clock.ms - last) / 1000) * 10);
        last = clock.ms;
        tokens -= 1;
        budget.observe(tokens < 0 ? 429 : 200, {
          'X-RateLimit-Limit': '100',
          'X-RateLimit-Remaining': String(Math.max(0, Math.floor(tokens))),
        });
        clock.advance(5); // the answer's latency
      });
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      try {
        await serve();
      } catch (e) {
        if (!(e instanceof UpstreamPausedError)) throw e;
        refused += 1;
        clock.advance(e.retryAfterSeconds! * 1000);
      }
    }
    expect(budget.stats().upstream429s).toBe(0);
    expect(tokens).toBeGreaterThanOrEqual(0);
    expect(refused).toBe(0);
  });

  it('spreads what is left of a Zendesk window and waits for the reset at the end', async () => {
    const clock = new FakeClock();
    const { budget } = budgetOn(clock, readZendeskRateLimit, 60_000);
    await call(budget, 200, {
      'x-rate-limit': '100',
      'x-rate-limit-remaining': '10',
      'ratelimit-reset': '10',
    });
    const t0 = clock.ms;
    for (let i = 0; i < 7; i++) await budget.run(async () => undefined);
    // 10 left, 2 kept back: 7 calls spread over the 10 s left (not sent at once).
    expect(clock.ms - t0).toBeGreaterThan(5_000);
    expect(clock.ms - t0).toBeLessThanOrEqual(10_000);
    // The next one waits for the new window.
    await budget.run(async () => undefined);
    expect(clock.ms).toBeGreaterThanOrEqual(t0 + 10_000);
  });

  it('pauses the upstream after a 429 until its Retry-After, refusing long waits at once', async () => {
    const clock = new FakeClock();
    const { budget, slept } = budgetOn(clock, readJiraRateLimit);
    await call(budget, 429, { 'Retry-After': '30', 'RateLimit-Reason': 'jira-burst-based' });
    expect(budget.pausedForMs()).toBe(30_000);
    let sent = false;
    const refusal = await budget
      .run(async () => {
        sent = true;
      })
      .catch((e: unknown) => e);
    expect(sent).toBe(false);
    expect(refusal).toBeInstanceOf(UpstreamPausedError);
    expect(refusal).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 30, source: 'test' });
    expect(slept).toEqual([]);
    // A short pause is waited for inside the request.
    clock.advance(28_000);
    await budget.run(async () => {
      sent = true;
    });
    expect(sent).toBe(true);
    expect(slept).toEqual([2_000]);
    expect(budget.stats()).toMatchObject({ refused: 1, upstream429s: 1 });
  });

  it('does not pause the upstream for a 429 about one issue', async () => {
    const clock = new FakeClock();
    const { budget } = budgetOn(clock, readJiraRateLimit);
    await call(budget, 429, { 'Retry-After': '30', 'RateLimit-Reason': 'jira-per-issue-on-write' });
    expect(budget.pausedForMs()).toBe(0);
    await expect(budget.run(async () => 'sent')).resolves.toBe('sent');
  });

  it('learns a quota without headers from its first 429, and keeps under it afterwards', async () => {
    const clock = new FakeClock();
    const { budget } = budgetOn(clock, readGoogleRateLimit, 120_000, true);
    // A server allowing 50 calls per sliding minute; calls every 100 ms.
    const acceptedAt: number[] = [];
    let refusals = 0;
    for (let i = 0; i < 400; i++) {
      await budget.run(async () => {
        const recent = acceptedAt.filter((t) => t > clock.ms - 60_000);
        if (recent.length >= 50) {
          refusals += 1;
          budget.observe(429, {}, GOOGLE_QUOTA_BODY);
        } else {
          acceptedAt.push(clock.ms);
          budget.observe(200, {});
        }
      });
      clock.advance(100);
    }
    // One 429 to learn, then one each time the slowly growing limit probes past the quota
    // again (every few windows): far under 1 % of the calls.
    expect(refusals).toBeGreaterThanOrEqual(1);
    expect(refusals / 400).toBeLessThan(0.02);
    expect(acceptedAt.length).toBe(400 - refusals);
  });

  it('is not retried inside the request by withRetry: the task answers 503 instead', async () => {
    const clock = new FakeClock();
    const { budget } = budgetOn(clock, readJiraRateLimit);
    await call(budget, 429, { 'Retry-After': '10', 'RateLimit-Reason': 'jira-burst-based' });
    let attempts = 0;
    const e = await withRetry(
      () => {
        attempts += 1;
        return budget.run(async () => 'sent');
      },
      { now: () => clock.ms, sleep: async (ms) => void clock.advance(ms) },
    ).catch((x: unknown) => x);
    expect(attempts).toBe(1);
    expect(e).toBeInstanceOf(SyncError);
    expect(e).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 10 });
  });
});
