// Rate limits and retries (issue 4 item 2): retry.ts on its own, Jira's per-issue write
// pacing, and both real adapters against the simulators over HTTP. Time is a fake clock
// shared by the simulator and the adapter; the adapter's sleep moves it (no real waiting).
import { Readable } from 'node:stream';
import { classifyGoogleError } from '../../src/adapters/google/google-errors';
import {
  googleSupportCasesForEmulator,
  type GoogleSupportCases,
} from '../../src/adapters/google/google-support-cases';
import { IssueWriteLimiter } from '../../src/adapters/jira/issue-write-limiter';
import { JiraCrm, type JiraCrmOptions } from '../../src/adapters/jira/jira-crm';
import {
  isRetryable,
  withRetry,
  type RetryPolicy,
  type WithRetryOptions,
} from '../../src/adapters/retry';
import { SyncError } from '../../src/domain/errors';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import {
  startJiraSimulator,
  type JiraSimulator,
  type JiraSimulatorOptions,
} from '../../src/sandbox/jira';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const ORG = 'organizations/4242';

/** A clock that only the adapter's sleeps (or the test) move; records every sleep. */
class TestTime {
  ms = T0;
  readonly sleeps: number[] = [];
  readonly now = (): number => this.ms;
  readonly date = (): Date => new Date(this.ms);
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.ms += ms;
    await Promise.resolve();
  };
  /** A retry policy on this clock, without jitter (random() = 1: the full backoff). */
  policy(extra: WithRetryOptions = {}): WithRetryOptions {
    return { now: this.now, sleep: this.sleep, random: () => 1, ...extra };
  }
}

async function failure(p: Promise<unknown>): Promise<SyncError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SyncError) return e;
    throw new Error(`expected a SyncError, got ${String(e)}`);
  }
  throw new Error('expected a failure');
}

const rateLimited = (retryAfterSeconds?: number, status = 429): SyncError =>
  new SyncError('rate-limited', `x failed with HTTP ${status}`, { status, retryAfterSeconds });
const transient = (status?: number): SyncError =>
  new SyncError('retry', 'x failed', status === undefined ? {} : { status });

/** An operation that throws the given errors in turn, then returns 'ok'. */
function script(...errors: Error[]): { op: (attempt: number) => Promise<string>; calls: number } {
  const s = {
    calls: 0,
    op: async (): Promise<string> => {
      const e = errors[s.calls++];
      if (e !== undefined) throw e;
      return 'ok';
    },
  };
  return s;
}

describe('withRetry', () => {
  it('waits at least Retry-After after a 429, then succeeds', async () => {
    const t = new TestTime();
    const s = script(rateLimited(1));
    await expect(withRetry(s.op, t.policy())).resolves.toBe('ok');
    expect(s.calls).toBe(2);
    expect(t.sleeps).toEqual([1000]);
  });

  it('throws the same error at once when Retry-After goes past the budget', async () => {
    const t = new TestTime();
    const e = rateLimited(30);
    const s = script(e);
    expect(await failure(withRetry(s.op, t.policy({ budgetMs: 20_000 })))).toBe(e);
    expect([s.calls, t.sleeps]).toEqual([1, []]);
  });

  it('stops when the waits so far plus the next one would pass the budget or a deadline', async () => {
    const t = new TestTime();
    const last = rateLimited(4);
    const s = script(rateLimited(4), rateLimited(4), last);
    expect(await failure(withRetry(s.op, t.policy({ budgetMs: 10_000 })))).toBe(last);
    expect(t.sleeps).toEqual([4000, 4000]);
    const t2 = new TestTime();
    const s2 = script(rateLimited(4));
    await failure(withRetry(s2.op, t2.policy({ deadlineMs: T0 + 3000 })));
    expect(t2.sleeps).toEqual([]);
  });

  it('honours a 503 with Retry-After (rate-limited) even for a request that is not idempotent', async () => {
    const t = new TestTime();
    const s = script(rateLimited(2, 503));
    await expect(withRetry(s.op, t.policy({ idempotent: false }))).resolves.toBe('ok');
    expect(t.sleeps).toEqual([2000]);
  });

  it('retries a transient failure once, briefly, for idempotent requests only', async () => {
    const t = new TestTime();
    const s = script(transient(500));
    await expect(withRetry(s.op, t.policy({ idempotent: true }))).resolves.toBe('ok');
    expect(t.sleeps).toEqual([250]);

    const twice = script(transient(502), transient(504));
    expect((await failure(withRetry(twice.op, t.policy({ idempotent: true })))).status).toBe(504);
    expect(twice.calls).toBe(2);

    const more = script(transient(), transient(), transient());
    await expect(
      withRetry(more.op, t.policy({ idempotent: true, maxTransientAttempts: 4 })),
    ).resolves.toBe('ok');
    expect(t.sleeps.slice(-3)).toEqual([250, 500, 1000]);

    const post = script(transient(500));
    expect((await failure(withRetry(post.op, t.policy({ idempotent: false })))).status).toBe(500);
    expect(post.calls).toBe(1);
  });

  it('leaves 503 without Retry-After, permanent, conflict and foreign errors to the caller', async () => {
    expect(isRetryable(transient(503), true)).toBe(false);
    expect(isRetryable(new SyncError('permanent', 'x', { status: 400 }), true)).toBe(false);
    expect(isRetryable(new SyncError('conflict', 'x'), true)).toBe(false);
    expect(isRetryable(new Error('boom'), true)).toBe(false);
    const t = new TestTime();
    const foreign = new TypeError('bug');
    const s = script(foreign);
    await expect(withRetry(s.op, t.policy({ idempotent: true }))).rejects.toBe(foreign);
    expect([s.calls, t.sleeps]).toEqual([1, []]);
  });

  it('gives up after maxAttempts, and reports each wait to onRetry', async () => {
    const t = new TestTime();
    const events: [number, number][] = [];
    const s = script(rateLimited(1), rateLimited(1), rateLimited(1));
    await failure(
      withRetry(
        s.op,
        t.policy({ maxAttempts: 3, onRetry: (ev) => events.push([ev.attempt, ev.delayMs]) }),
      ),
    );
    expect(s.calls).toBe(3);
    expect(events).toEqual([
      [1, 1000],
      [2, 1000],
    ]);
  });

  it('jitters the backoff between half and all of it', async () => {
    const t = new TestTime();
    const s = script(transient(), transient());
    await withRetry(s.op, t.policy({ idempotent: true, maxTransientAttempts: 3, random: () => 0 }));
    expect(t.sleeps).toEqual([125, 250]);
  });
});

describe('IssueWriteLimiter', () => {
  const windows = [
    { limit: 20, windowMs: 2000 },
    { limit: 100, windowMs: 30_000 },
  ];

  it('spaces writes to one issue under both windows, and leaves other issues alone', () => {
    const limiter = new IssueWriteLimiter(windows, { marginMs: 0 });
    const at = Array.from({ length: 130 }, () => limiter.reserve('10001', T0) - T0);
    expect(at.slice(0, 20)).toEqual(Array(20).fill(0));
    expect(at.slice(20, 40)).toEqual(Array(20).fill(2000));
    expect(at[99]).toBe(8000);
    expect(at[100]).toBe(30_000); // the 101st waits for the first to leave the 30 s window
    expect(at[120]).toBe(32_000);
    expect(limiter.reserve('10002', T0)).toBe(T0);
    // Every 2 s window holds at most 20, every 30 s window at most 100.
    for (const [w, n] of [
      [2000, 20],
      [30_000, 100],
    ] as const) {
      for (const start of at)
        expect(at.filter((x) => x >= start && x < start + w).length).toBeLessThanOrEqual(n);
    }
  });

  it('adds the margin to each window, and refuses a slot further than maxWaitMs', () => {
    const limiter = new IssueWriteLimiter([{ limit: 1, windowMs: 1000 }], {
      marginMs: 100,
      maxWaitMs: 2500,
    });
    expect(limiter.reserve('1', T0) - T0).toBe(0);
    expect(limiter.reserve('1', T0) - T0).toBe(1100);
    expect(limiter.reserve('1', T0) - T0).toBe(2200);
    let refused: unknown;
    try {
      limiter.reserve('1', T0);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ kind: 'rate-limited', retryAfterSeconds: 4, source: 'jira' });
  });

  it('acquire() sleeps until the reserved slot', async () => {
    const t = new TestTime();
    const limiter = new IssueWriteLimiter([{ limit: 2, windowMs: 1000 }], {
      now: t.now,
      sleep: t.sleep,
      marginMs: 0,
    });
    for (let i = 0; i < 5; i++) await limiter.acquire('SUP-1');
    expect(t.sleeps).toEqual([1000, 1000]);
  });
});

// --- Jira ---------------------------------------------------------------------------------

const jiraSims: JiraSimulator[] = [];
const googleSims: GoogleSimulator[] = [];
afterEach(async () => {
  await Promise.all([
    ...jiraSims.splice(0).map((s) => s.close()),
    ...googleSims.splice(0).map((s) => s.close()),
  ]);
});

async function jiraWorld(
  simOpts: JiraSimulatorOptions = {},
  crmOpts: Partial<JiraCrmOptions> = {},
  policy: RetryPolicy = {},
): Promise<{ sim: JiraSimulator; crm: JiraCrm; t: TestTime }> {
  const t = new TestTime();
  // The tenant burst limit runs on real time, these tests on a fake clock: it is off here
  // (these are about the per-issue write limit; the burst limit has its own tests).
  const sim = await startJiraSimulator({ now: t.date, burstLimit: false, ...simOpts });
  jiraSims.push(sim);
  const crm = new JiraCrm({
    baseUrl: sim.url,
    email: sim.email,
    apiToken: sim.apiToken,
    projectKey: 'SUP',
    requestTimeoutMs: 5000,
    retry: t.policy(policy),
    ...crmOpts,
  });
  return { sim, crm, t };
}

const route = (sim: JiraSimulator, key: string): number => sim.stats().byRoute[key] ?? 0;
const POST_COMMENT = 'POST /rest/api/3/issue/{issueIdOrKey}/comment';
const GET_ISSUE = 'GET /rest/api/3/issue/{issueIdOrKey}';

describe('JiraCrm honours rate limits', () => {
  it('429 with Retry-After: 1 on a comment → waits 1 s, then writes it once', async () => {
    const { sim, crm, t } = await jiraWorld();
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({ status: 429, retryAfterSeconds: 1, count: 1, method: 'POST' });
    const c = await crm.addComment(issue.id, 'hello', { visibility: 'internal' });
    expect(c.body).toBe('hello');
    expect(t.sleeps).toEqual([1000]);
    expect(route(sim, POST_COMMENT)).toBe(2);
    expect(sim.getIssue(issue.id)?.comments.map((x) => x.bodyText)).toEqual(['hello']);
  });

  it('503 with Retry-After is honoured the same way', async () => {
    const { sim, crm, t } = await jiraWorld();
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({ status: 503, retryAfterSeconds: 3, count: 1, pathContains: '/search/jql' });
    const page = await crm.searchUpdated(new Date(0));
    expect(page.items.map((i) => i.id)).toEqual([]);
    expect(t.sleeps).toEqual([3000]);
    expect((await crm.get(issue.id))?.key).toBe(issue.key);
  });

  it('429 with a Retry-After past the budget → rate-limited with retryAfterSeconds, no wait', async () => {
    const { sim, crm, t } = await jiraWorld({}, {}, { budgetMs: 5000 });
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({ status: 429, retryAfterSeconds: 60, count: 1 });
    const e = await failure(crm.setPriority(issue.id, 1));
    expect(e).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterSeconds: 60 });
    expect(t.sleeps).toEqual([]);
  });

  it('a comment POST answered 500 after Jira wrote it is not repeated: exactly one comment', async () => {
    const { sim, crm, t } = await jiraWorld();
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({ status: 500, after: true, count: 1, pathContains: '/comment' });
    const e = await failure(crm.addComment(issue.id, 'only once', { visibility: 'public' }));
    expect([e.kind, e.status]).toEqual(['retry', 500]);
    expect(route(sim, POST_COMMENT)).toBe(1);
    expect(t.sleeps).toEqual([]);
    expect(sim.getIssue(issue.id)?.comments.map((x) => x.bodyText)).toEqual(['only once']);
  });

  it('a ticket creation that lost its connection is not repeated', async () => {
    const { sim, crm } = await jiraWorld();
    sim.faults.add({ drop: true, after: true, count: 1, method: 'POST', pathContains: '/issue' });
    const e = await failure(
      crm.create({ summary: 's', description: 'd', priority: 2, googleCaseName: `${ORG}/cases/1` }),
    );
    expect(e.kind).toBe('retry');
    expect(sim.listIssues()).toHaveLength(1);
    expect(route(sim, 'POST /rest/api/3/issue')).toBe(1);
  });

  it('a GET answered 500 then 200 succeeds; so does one whose connection dropped', async () => {
    const { sim, crm } = await jiraWorld();
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({ status: 500, count: 1, method: 'GET' });
    expect((await crm.get(issue.id))?.id).toBe(issue.id);
    expect(route(sim, GET_ISSUE)).toBe(2);
    sim.faults.add({ drop: true, count: 1, method: 'GET' });
    expect((await crm.get(issue.id))?.id).toBe(issue.id);
    expect(route(sim, GET_ISSUE)).toBe(4); // the dropped request counts too
  });

  it('close() retries as a whole: a transition that went through before a 500 is not an error', async () => {
    const { sim, crm } = await jiraWorld();
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({
      status: 500,
      after: true,
      count: 1,
      pathContains: '/transitions',
      method: 'POST',
    });
    await crm.close(issue.id);
    expect(sim.getIssue(issue.id)?.statusCategory).toBe('done');
    expect(route(sim, 'POST /rest/api/3/issue/{issueIdOrKey}/transitions')).toBe(1);
  });

  it('back-fills 150 comments into one issue without ever crossing the per-issue write limit', async () => {
    const { sim, crm, t } = await jiraWorld();
    const issue = sim.createIssue({ summary: 'busy' });
    for (let i = 1; i <= 150; i++) {
      await crm.addComment(issue.id, `comment ${i}`, { visibility: 'internal', mirrorOf: `g${i}` });
    }
    expect(sim.perIssueWriteRejections()).toBe(0);
    expect(route(sim, POST_COMMENT)).toBe(150);
    const texts = sim.getIssue(issue.id)?.comments.map((c) => c.bodyText);
    expect(texts).toEqual(Array.from({ length: 150 }, (_, i) => `comment ${i + 1}`));
    // Paced, not throttled: the 101st write waited for the 30 s window.
    expect(t.ms - T0).toBeGreaterThanOrEqual(30_000);
    expect(t.ms - T0).toBeLessThan(45_000);
  });

  it('without pacing, Jira’s 429s are honoured: every comment lands exactly once', async () => {
    const { sim, crm, t } = await jiraWorld({}, { perIssueWriteLimits: false });
    const issue = sim.createIssue({ summary: 'busy' });
    for (let i = 1; i <= 45; i++) {
      await crm.addComment(issue.id, `c${i}`, { visibility: 'internal' });
    }
    expect(sim.perIssueWriteRejections()).toBeGreaterThan(0);
    expect(t.sleeps.every((ms) => ms >= 1000)).toBe(true);
    const texts = sim.getIssue(issue.id)?.comments.map((c) => c.bodyText);
    expect(texts).toEqual(Array.from({ length: 45 }, (_, i) => `c${i + 1}`));
  });

  it('paces every kind of write: edits, transitions, attachments', async () => {
    const { sim, crm } = await jiraWorld(
      { perIssueWriteLimits: [{ limit: 2, windowMs: 1000 }] },
      { perIssueWriteLimits: [{ limit: 2, windowMs: 1000 }] },
    );
    const issue = sim.createIssue({ summary: 's' });
    await crm.setPriority(issue.id, 0);
    await crm.linkGoogleCase(issue.id, `${ORG}/cases/77`);
    await crm.addComment(issue.id, 'x', { visibility: 'internal' });
    await crm.upload(issue.id, {
      filename: 'a.txt',
      mimeType: 'text/plain',
      sizeBytes: 3,
      content: Readable.from([Buffer.from('abc')]),
    });
    await crm.close(issue.id);
    expect(sim.perIssueWriteRejections()).toBe(0);
    expect(sim.getIssue(issue.id)).toMatchObject({ priority: 'Highest', statusCategory: 'done' });
  });
});

// --- Google -------------------------------------------------------------------------------

async function googleWorld(
  policy: RetryPolicy = {},
): Promise<{ sim: GoogleSimulator; cases: GoogleSupportCases; t: TestTime }> {
  const t = new TestTime();
  const sim = await startGoogleSimulator({ now: t.date, defaultParent: ORG });
  googleSims.push(sim);
  const cases = googleSupportCasesForEmulator(sim.host, sim.token, { retry: t.policy(policy) });
  return { sim, cases, t };
}

describe('GoogleSupportCases honours rate limits', () => {
  it('429 RESOURCE_EXHAUSTED with Retry-After: 1 → waits 1 s, then succeeds', async () => {
    const { sim, cases, t } = await googleWorld();
    sim.createCase({ displayName: 'x', description: 'd' });
    sim.faults.add({ status: 429, retryAfterSeconds: 1, count: 1 });
    const page = await cases.searchUpdated(ORG, new Date(0));
    expect(page.items).toHaveLength(1);
    expect(t.sleeps).toEqual([1000]);
    expect(sim.stats().byRoute['cases.search']).toBe(2);
  });

  it('503 UNAVAILABLE with Retry-After on a comment (refused, not written) → retried, written once', async () => {
    const { sim, cases, t } = await googleWorld();
    const c = sim.createCase({ displayName: 'x', description: 'd' });
    sim.faults.add({ status: 503, retryAfterSeconds: 2, count: 1, method: 'POST' });
    await cases.addComment(c.name, 'hello');
    expect(t.sleeps).toEqual([2000]);
    expect(sim.getCase(c.name).comments.map((x) => x.body)).toEqual(['hello']);
  });

  it('429 with a Retry-After past the budget → rate-limited with retryAfterSeconds', async () => {
    const { sim, cases, t } = await googleWorld({ budgetMs: 10_000 });
    const c = sim.createCase({ displayName: 'x', description: 'd' });
    sim.faults.add({ status: 429, retryAfterSeconds: 45, count: 1 });
    const e = await failure(cases.get(c.name));
    expect(e).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterSeconds: 45 });
    expect(t.sleeps).toEqual([]);
  });

  it('a comment POST answered 500 after it was written is not repeated: exactly one comment', async () => {
    const { sim, cases } = await googleWorld();
    const c = sim.createCase({ displayName: 'x', description: 'd' });
    sim.faults.add({ status: 500, after: true, count: 1, method: 'POST' });
    const e = await failure(cases.addComment(c.name, 'only once'));
    expect([e.kind, e.status]).toEqual(['retry', 500]);
    expect(sim.stats().byRoute['cases.comments.create']).toBe(1);
    expect(sim.getCase(c.name).comments.map((x) => x.body)).toEqual(['only once']);
  });

  it('a GET answered 500 then 200 succeeds; so does one whose connection dropped', async () => {
    const { sim, cases } = await googleWorld();
    const c = sim.createCase({ displayName: 'x', description: 'd' });
    sim.faults.add({ status: 500, count: 1 });
    expect((await cases.get(c.name))?.name).toBe(c.name);
    sim.faults.add({ drop: true, count: 1 });
    expect((await cases.get(c.name))?.name).toBe(c.name);
    expect(sim.stats().byRoute['cases.get']).toBe(4);
  });

  it('a 503 without Retry-After (the API is down) goes back to the queue at once', async () => {
    const { sim, cases, t } = await googleWorld();
    sim.setDown(true);
    const e = await failure(cases.searchUpdated(ORG, new Date(0)));
    expect([e.kind, e.status]).toEqual(['retry', 503]);
    expect([sim.stats().byRoute['cases.search'], t.sleeps]).toEqual([1, []]);
  });

  it('reads a google.rpc.RetryInfo delay when there is no Retry-After header', () => {
    const err = {
      response: {
        status: 429,
        headers: {},
        data: {
          error: {
            code: 429,
            status: 'RESOURCE_EXHAUSTED',
            details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.5s' }],
          },
        },
      },
    };
    expect(classifyGoogleError('cases.search', err)).toMatchObject({
      kind: 'rate-limited',
      retryAfterSeconds: 3,
    });
    const header = { response: { ...err.response, headers: { 'retry-after': '7' } } };
    expect(classifyGoogleError('cases.search', header).retryAfterSeconds).toBe(7);
    const down = {
      response: { status: 503, headers: {}, data: JSON.stringify(err.response.data) },
    };
    expect(classifyGoogleError('cases.search', down)).toMatchObject({
      kind: 'rate-limited',
      retryAfterSeconds: 3,
    });
  });
});
