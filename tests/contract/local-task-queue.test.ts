// LocalTaskQueue against a real HTTP server on 127.0.0.1 (port 0) that records requests and
// answers configurable statuses. Time is driven by ManualTimers: no sleeping.
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { QueueSettings } from '../../src/adapters/local/gae-yaml';
import { taskIdForDedupKey } from '../../src/adapters/local/gae-yaml';
import { ManualTimers } from '../support/manual-timers';
import { LocalTaskQueue, type TaskOutcome } from '../../src/adapters/local/local-task-queue';

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

type Answer =
  { status: number; headers?: Record<string, string> } | 'destroy' | Promise<{ status: number }>;

interface Recorder {
  readonly url: string;
  readonly requests: Recorded[];
  /** Decides the answer to the n-th request (0-based). Default: 200. */
  answer: (req: Recorded, n: number) => Answer;
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const rec: Recorder = {
    url: '',
    requests,
    answer: () => ({ status: 200 }),
    received: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const reply = (res: ServerResponse, a: { status: number; headers?: Record<string, string> }) => {
    res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
    res.end(JSON.stringify({ ok: a.status < 300 }));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const r: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      const n = requests.length;
      requests.push(r);
      for (const w of [...waiters]) {
        if (requests.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      const a = rec.answer(r, n);
      if (a === 'destroy') {
        req.socket.destroy();
      } else if (a instanceof Promise) {
        void a.then((x) => reply(res, x));
      } else {
        reply(res, a);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(rec, { url: `http://127.0.0.1:${port}` });
}

const queueSettings = (over: Partial<QueueSettings> = {}): QueueSettings => ({
  name: 'sync',
  ratePerSecond: 100,
  bucketSize: 100,
  maxConcurrentRequests: 100,
  retry: { minBackoffSeconds: 5, maxBackoffSeconds: 600, maxDoublings: 5 },
  ...over,
});

/** Alternates letting requests finish and advancing time, until the queue is idle. */
async function runUntilIdle(
  queue: LocalTaskQueue,
  timers: ManualTimers,
  maxSteps = 100,
): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    await queue.settled();
    if (queue.stats().pending === 0 && queue.stats().inFlight === 0) return;
    if (!timers.runNext()) throw new Error('pending tasks but no timer set');
  }
  throw new Error('queue did not become idle');
}

describe('LocalTaskQueue', () => {
  let server: Recorder;
  let timers: ManualTimers;
  let queue: LocalTaskQueue | undefined;
  let outcomes: TaskOutcome[];

  const makeQueue = (
    settings: Partial<QueueSettings> = {},
    extra: { duplicateDelivery?: number } = {},
  ) => {
    queue = new LocalTaskQueue({
      baseUrl: server.url,
      queue: queueSettings(settings),
      clock: timers,
      setTimer: timers.setTimer,
      onOutcome: (o) => outcomes.push(o),
      ...extra,
    });
    return queue;
  };

  beforeEach(async () => {
    server = await startRecorder();
    timers = new ManualTimers(Date.UTC(2026, 2, 1, 10, 0, 0));
    outcomes = [];
    queue = undefined;
  });

  afterEach(async () => {
    queue?.close();
    await server.close();
  });

  it('POSTs each task to its route with JSON and the App Engine queue headers', async () => {
    const q = makeQueue();
    await q.enqueue({ kind: 'sync-google-case', caseName: 'organizations/1/cases/2' });
    await q.enqueue({ kind: 'sync-company-case', caseId: '10042' }, { dedupKey: 'company:10042' });
    await q.idle();

    expect(server.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/tasks/sync-google-case', { caseName: 'organizations/1/cases/2' }],
      ['POST', '/tasks/sync-company-case', { caseId: '10042' }],
    ]);
    for (const r of server.requests) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-appengine-queuename']).toBe('sync');
      expect(r.headers['x-appengine-taskretrycount']).toBe('0');
      expect(r.headers['x-appengine-taskexecutioncount']).toBe('0');
      expect(r.headers['x-appengine-taskname']).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(server.requests[1]?.headers['x-appengine-taskname']).toBe(
      taskIdForDedupKey('company:10042'),
    );
    expect(q.stats()).toEqual({ delivered: 2, retried: 0, gaveUp: 0, pending: 0, inFlight: 0 });
  });

  it('retries a failed task with the queue backoff until a 2xx', async () => {
    server.answer = (_r, n) => ({ status: n < 2 ? 500 : 204 });
    const q = makeQueue();
    const t0 = timers.now().getTime();
    await q.enqueue({ kind: 'sync-google-case', caseName: 'organizations/1/cases/2' });

    await q.settled();
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry']);
    expect(timers.nextAt()?.getTime()).toBe(t0 + 5_000); // backoffSeconds(…, 1) = min_backoff
    timers.runNext();
    await q.settled();
    expect(timers.nextAt()?.getTime()).toBe(t0 + 5_000 + 10_000); // doubled
    timers.runNext();
    await q.idle();

    expect(server.requests.map((r) => r.headers['x-appengine-taskretrycount'])).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(server.requests.map((r) => r.headers['x-appengine-taskexecutioncount'])).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(new Set(server.requests.map((r) => r.headers['x-appengine-taskname'])).size).toBe(1);
    expect(outcomes.map((o) => [o.outcome, o.attempt, o.status])).toEqual([
      ['retry', 1, 500],
      ['retry', 2, 500],
      ['delivered', 3, 204],
    ]);
    expect(q.stats()).toMatchObject({ delivered: 1, retried: 2, pending: 0 });
  });

  it('retries after a network error, which does not count as an execution', async () => {
    server.answer = (_r, n) => (n === 0 ? 'destroy' : { status: 200 });
    const q = makeQueue();
    await q.enqueue({ kind: 'sync-company-case', caseId: '7' });
    await runUntilIdle(q, timers);
    expect(server.requests.map((r) => r.headers['x-appengine-taskretrycount'])).toEqual(['0', '1']);
    expect(server.requests.map((r) => r.headers['x-appengine-taskexecutioncount'])).toEqual([
      '0',
      '0',
    ]);
    expect(outcomes.map((o) => [o.outcome, o.status])).toEqual([
      ['retry', undefined],
      ['delivered', 200],
    ]);
  });

  it('waits at least Retry-After after a 503', async () => {
    server.answer = (_r, n) =>
      n === 0 ? { status: 503, headers: { 'Retry-After': '120' } } : { status: 200 };
    const q = makeQueue();
    const t0 = timers.now().getTime();
    await q.enqueue({ kind: 'sync-company-case', caseId: '7' });
    await q.settled();
    expect(outcomes[0]).toMatchObject({ outcome: 'retry', status: 503, retryInSeconds: 120 });
    timers.advance(119_000);
    await q.settled();
    expect(server.requests).toHaveLength(1);
    timers.advance(1_000);
    await q.idle();
    expect(server.requests).toHaveLength(2);
    expect(timers.now().getTime() - t0).toBe(120_000);
  });

  it('gives up after task_retry_limit retries when only that limit is set', async () => {
    server.answer = () => ({ status: 500 });
    const q = makeQueue({
      retry: { minBackoffSeconds: 1, maxBackoffSeconds: 10, maxDoublings: 2, taskRetryLimit: 2 },
    });
    await q.enqueue({ kind: 'sync-company-case', caseId: '7' });
    await runUntilIdle(q, timers);
    expect(server.requests).toHaveLength(3);
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'retry', 'gave-up']);
    expect(q.stats()).toMatchObject({ delivered: 0, retried: 2, gaveUp: 1, pending: 0 });
    expect(timers.pending()).toBe(0);
  });

  it('with task_retry_limit and task_age_limit, retries until both are reached', async () => {
    const retry = {
      minBackoffSeconds: 10,
      maxBackoffSeconds: 600,
      maxDoublings: 16,
      taskRetryLimit: 1,
      taskAgeLimitSeconds: 60,
    };
    const q = makeQueue({ retry });
    const t0 = timers.now().getTime();
    const attemptsAt: number[] = [];
    server.answer = () => {
      attemptsAt.push((timers.now().getTime() - t0) / 1000);
      return { status: 500 };
    };
    await q.enqueue({ kind: 'sync-company-case', caseId: '7' });
    await runUntilIdle(q, timers);
    // Backoff 10, 20, 40 s. The failure at 30 s has used up the retry limit but is younger
    // than 60 s, so it is retried; the one at 70 s is past both limits.
    expect(attemptsAt).toEqual([0, 10, 30, 70]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'retry', 'retry', 'gave-up']);
  });

  it('collapses an enqueue whose dedupKey is pending or ran within the hour', async () => {
    server.answer = (_r, n) => ({ status: n === 0 ? 500 : 200 });
    const q = makeQueue();
    const task = { kind: 'sync-google-case', caseName: 'organizations/1/cases/2' } as const;
    await q.enqueue(task, { dedupKey: 'g:2:poll-1' });
    await q.settled(); // failed once, waiting for its retry
    await q.enqueue(task, { dedupKey: 'g:2:poll-1' }); // still pending: no-op
    await runUntilIdle(q, timers);
    expect(server.requests).toHaveLength(2);

    timers.advance(59 * 60_000);
    await q.enqueue(task, { dedupKey: 'g:2:poll-1' }); // ran < 1 h ago: no-op
    await q.idle();
    expect(server.requests).toHaveLength(2);

    timers.advance(2 * 60_000);
    await q.enqueue(task, { dedupKey: 'g:2:poll-1' }); // the name is free again
    await q.enqueue(task); // no key: never collapsed
    await q.enqueue(task);
    await q.idle();
    expect(server.requests).toHaveLength(5);
    expect(q.stats().delivered).toBe(4);
  });

  it('says whether an enqueue created a task or was a duplicate of its dedupKey', async () => {
    const q = makeQueue();
    const task = { kind: 'sync-company-case', caseId: '10042' } as const;
    await expect(q.enqueue(task, { dedupKey: 'push-1' })).resolves.toBe('created');
    await expect(q.enqueue(task, { dedupKey: 'push-1' })).resolves.toBe('duplicate');
    await expect(q.enqueue(task)).resolves.toBe('created');
    await runUntilIdle(q, timers);
    expect(server.requests).toHaveLength(2);
  });

  it('holds a task with notBefore until that time (Cloud Tasks scheduleTime); its name is taken meanwhile', async () => {
    const q = makeQueue();
    const t0 = timers.now().getTime();
    const task = { kind: 'sync-company-case', caseId: '7' } as const;
    await q.enqueue(task, { dedupKey: 'trail-7', notBefore: new Date(t0 + 10_000) });
    await q.enqueue(task, { dedupKey: 'past', notBefore: new Date(t0 - 60_000) }); // past: now
    await q.settled();
    expect(server.requests).toHaveLength(1);
    await expect(
      q.enqueue(task, { dedupKey: 'trail-7', notBefore: new Date(t0 + 10_000) }),
    ).resolves.toBe('duplicate');
    timers.advance(9_999);
    await q.settled();
    expect(server.requests).toHaveLength(1);
    timers.advance(1);
    await q.idle();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers['x-appengine-taskname']).toBe(taskIdForDedupKey('trail-7'));
    expect(Number(server.requests[1]?.headers['x-appengine-tasketa']) * 1000).toBe(t0 + 10_000);
  });

  it('keeps at most max_concurrent_requests tasks in flight', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<{ status: number }>((resolve) => {
      release = () => resolve({ status: 200 });
    });
    server.answer = () => gate;
    const q = makeQueue({ maxConcurrentRequests: 2 });
    for (let i = 0; i < 5; i++) await q.enqueue({ kind: 'sync-company-case', caseId: String(i) });

    await server.received(2);
    expect(q.stats()).toMatchObject({ inFlight: 2, pending: 3 });
    expect(server.requests).toHaveLength(2);
    release();
    await q.idle();
    expect(server.requests).toHaveLength(5);
    expect(q.stats()).toMatchObject({ delivered: 5, inFlight: 0 });
  });

  it('paces dispatches with the rate and bucket size (token bucket)', async () => {
    const q = makeQueue({ ratePerSecond: 0.5, bucketSize: 2 });
    const t0 = timers.now().getTime();
    const sentAt: number[] = [];
    server.answer = () => {
      sentAt.push(timers.now().getTime() - t0);
      return { status: 200 };
    };
    for (let i = 0; i < 5; i++) await q.enqueue({ kind: 'sync-company-case', caseId: String(i) });
    await runUntilIdle(q, timers);
    // A burst of bucket_size, then one task every 1 / rate = 2 s.
    expect(sentAt).toEqual([0, 0, 2000, 4000, 6000]);
  });

  it('duplicateDelivery delivers every task N times concurrently (at-least-once)', async () => {
    const q = makeQueue({}, { duplicateDelivery: 2 });
    await q.enqueue(
      { kind: 'sync-google-case', caseName: 'organizations/1/cases/9' },
      { dedupKey: 'k9' },
    );
    await q.idle();
    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.headers['x-appengine-taskname'])).toEqual([
      taskIdForDedupKey('k9'),
      taskIdForDedupKey('k9'),
    ]);
    expect(q.stats()).toMatchObject({ delivered: 1 });
  });

  it('close() stops timers and refuses new tasks', async () => {
    server.answer = () => ({ status: 500 });
    const q = makeQueue();
    await q.enqueue({ kind: 'sync-company-case', caseId: '7' });
    await q.settled();
    expect(timers.pending()).toBe(1);
    q.close();
    expect(timers.pending()).toBe(0);
    await expect(q.enqueue({ kind: 'sync-company-case', caseId: '8' })).rejects.toMatchObject({
      kind: 'retry',
    });
    await q.idle();
  });
});
