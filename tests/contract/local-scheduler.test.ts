// LocalScheduler against a real HTTP server on 127.0.0.1 (port 0), with the jobs of the
// repository's cron.yaml and a ManualTimers clock: no sleeping.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadCronConfig, parseCronYaml, type CronJob } from '../../src/adapters/local/gae-yaml';
import { LocalScheduler } from '../../src/adapters/local/local-scheduler';
import { ManualTimers } from '../support/manual-timers';
import { SyncError } from '../../src/domain/errors';

interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Milliseconds since the test's start, on the manual clock. */
  readonly at: number;
}

interface CronServer {
  readonly url: string;
  readonly hits: Hit[];
  status: (url: string, n: number) => number | 'destroy';
  close(): Promise<void>;
}

async function startServer(timers: ManualTimers, t0: number): Promise<CronServer> {
  const hits: Hit[] = [];
  const counts = new Map<string, number>();
  const cs: CronServer = {
    url: '',
    hits,
    status: () => 200,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    hits.push({
      method: req.method ?? '',
      url,
      headers: req.headers,
      at: timers.now().getTime() - t0,
    });
    const n = counts.get(url) ?? 0;
    counts.set(url, n + 1);
    const s = cs.status(url, n);
    if (s === 'destroy') {
      req.socket.destroy();
      return;
    }
    res.writeHead(s, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(cs, { url: `http://127.0.0.1:${port}` });
}

const CRON_JOBS = loadCronConfig(path.resolve(__dirname, '../../cron.yaml'));
const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

describe('LocalScheduler', () => {
  let timers: ManualTimers;
  let server: CronServer;
  let scheduler: LocalScheduler | undefined;

  const make = (jobs: readonly CronJob[] = CRON_JOBS) => {
    scheduler = new LocalScheduler({
      baseUrl: server.url,
      jobs,
      clock: timers,
      setTimer: timers.setTimer,
    });
    return scheduler;
  };

  /** Advances the manual clock to `t0 + ms`, letting each fire's requests finish in turn. */
  const runUntil = async (s: LocalScheduler, ms: number) => {
    const target = T0 + ms;
    for (;;) {
      const next = timers.nextAt();
      if (!next || next.getTime() > target) break;
      timers.runNext();
      await s.settled();
    }
    timers.advanceTo(target);
  };

  beforeEach(async () => {
    timers = new ManualTimers(T0);
    server = await startServer(timers, T0);
    scheduler = undefined;
  });

  afterEach(async () => {
    scheduler?.stop();
    await server.close();
  });

  it('fires every cron.yaml job at its schedule, as a GET with the App Engine cron headers', async () => {
    const s = make();
    s.start();
    await runUntil(s, 10 * 60_000);

    const count = (url: string) => server.hits.filter((h) => h.url === url).length;
    expect(count('/tasks/poll-google')).toBe(10);
    expect(count('/tasks/poll-company')).toBe(10);
    expect(count('/tasks/detect-outages')).toBe(2);
    expect(count('/tasks/clean-up-case-mappings')).toBe(0);
    expect(server.hits.filter((h) => h.url === '/tasks/poll-google').map((h) => h.at)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i + 1) * 60_000),
    );
    for (const h of server.hits) {
      expect(h.method).toBe('GET');
      expect(h.headers['x-appengine-cron']).toBe('true');
      expect(h.headers['x-cloudscheduler']).toBe('true');
    }
    expect(s.history().every((f) => f.outcome === 'ok')).toBe(true);
    expect(s.nextRuns().find((r) => r.url === '/tasks/clean-up-case-mappings')?.at).toEqual(
      new Date(T0 + 86_400_000),
    );
  });

  it('fires the daily clean-up once a day', async () => {
    const s = make(CRON_JOBS.filter((j) => j.url === '/tasks/clean-up-case-mappings'));
    s.start();
    await runUntil(s, 3 * 86_400_000);
    expect(server.hits.map((h) => [h.url, h.at / 3_600_000])).toEqual([
      ['/tasks/clean-up-case-mappings', 24],
      ['/tasks/clean-up-case-mappings', 48],
      ['/tasks/clean-up-case-mappings', 72],
    ]);
  });

  it("retries a failed run with the job's retry_parameters, then gives up until the next run", async () => {
    // cron.yaml: job_retry_limit 2, job_age_limit 30s, backoff 5 s doubling once, ≤ 10 s.
    server.status = (url, n) => (url === '/tasks/poll-google' && n < 5 ? 500 : 200);
    const s = make(CRON_JOBS.filter((j) => j.url === '/tasks/poll-google'));
    s.start();
    await runUntil(s, 2 * 60_000);

    const at = server.hits.map((h) => h.at / 1000);
    expect(at).toEqual([60, 65, 75, 85, 95, 120]);
    expect(s.history().map((f) => [f.outcome, f.attempt])).toEqual([
      ['retry', 1],
      ['retry', 2],
      ['retry', 3],
      ['retry', 4],
      ['failed', 5],
      ['ok', 1],
    ]);
  });

  it('treats a dropped connection as a failure', async () => {
    server.status = (_url, n) => (n === 0 ? 'destroy' : 200);
    const s = make(CRON_JOBS.filter((j) => j.url === '/tasks/detect-outages'));
    s.start();
    await runUntil(s, 5 * 60_000 + 15_000);
    expect(server.hits.map((h) => h.at / 1000)).toEqual([300, 315]);
    expect(s.history().map((f) => [f.outcome, f.status])).toEqual([
      ['retry', undefined],
      ['ok', 200],
    ]);
  });

  it('does not retry a job without retry_parameters, and skips a run due while one is retrying', async () => {
    const [plain, slow] = parseCronYaml(`
cron:
  - url: /plain
    schedule: every 1 minutes
  - url: /slow
    schedule: every 1 minutes
    retry_parameters:
      job_age_limit: 3m
      min_backoff_seconds: 50
      max_backoff_seconds: 50
`);
    server.status = () => 500;
    const s = make([plain as CronJob, slow as CronJob]);
    s.start();
    await runUntil(s, 3 * 60_000);
    const hitsOf = (url: string) =>
      server.hits.filter((h) => h.url === url).map((h) => h.at / 1000);
    expect(hitsOf('/plain')).toEqual([60, 120, 180]);
    // /slow: run due at 60 s retried at 110 s and 160 s; the runs due at 120 s and 180 s are skipped.
    expect(hitsOf('/slow')).toEqual([60, 110, 160]);
    expect(
      s
        .history()
        .filter((f) => f.url === '/slow')
        .map((f) => f.outcome),
    ).toEqual(['retry', 'retry', 'skipped', 'retry', 'skipped']);
  });

  it('runNow fires one job immediately and returns its status', async () => {
    server.status = (url) => (url === '/tasks/detect-outages' ? 500 : 200);
    const s = make();
    expect(await s.runNow('/tasks/poll-company')).toBe(200);
    expect(await s.runNow('/tasks/detect-outages')).toBe(500);
    expect(server.hits.map((h) => [h.url, h.headers['x-appengine-cron']])).toEqual([
      ['/tasks/poll-company', 'true'],
      ['/tasks/detect-outages', 'true'],
    ]);
    expect(timers.pending()).toBe(0); // not started: nothing scheduled, no retry
    await expect(s.runNow('/tasks/unknown')).rejects.toThrow(/no cron job/);
    server.status = () => 'destroy';
    await expect(s.runNow('/tasks/poll-google')).rejects.toBeInstanceOf(SyncError);
  });

  it('stop() cancels every timer', async () => {
    const s = make();
    s.start();
    expect(timers.pending()).toBe(CRON_JOBS.length);
    expect(s.nextRuns().find((r) => r.url === '/tasks/detect-outages')?.at).toEqual(
      new Date(T0 + 5 * 60_000),
    );
    s.stop();
    expect(timers.pending()).toBe(0);
    timers.advance(60 * 60_000);
    expect(server.hits).toHaveLength(0);
  });
});
