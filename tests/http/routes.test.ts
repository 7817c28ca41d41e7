// The HTTP layer through buildApp with fakes: caller guard, /healthz, malformed bodies,
// the error → status mapping (Cloud Tasks semantics) and detect-outages' status.
import { Writable } from 'node:stream';
import { buildApp } from '../../src/app';
import { createLogger } from '../../src/adapters/log/pino-logger';
import { SyncError } from '../../src/domain/errors';
import { makeDeps, linkedFromGoogle } from '../support/task-deps';
import { MINUTE } from '../support/fake-clock';

function appWith(deps = makeDeps()) {
  const lines: string[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => (lines.push(...c.toString().split('\n').filter(Boolean)), cb()),
  });
  const { log: _log, ...rest } = deps;
  const app = buildApp({ ...rest, logger: createLogger({ level: 'debug', destination: sink }) });
  apps.push(app);
  // Real HTTP (light-my-request's inject pulls an ESM-only dependency jest cannot load).
  const inject = async (o: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }) => {
    const address = app.server.listening ? '' : await app.listen({ port: 0, host: '127.0.0.1' });
    if (address) base.set(app, address);
    const res = await fetch(`${base.get(app)}${o.url}`, {
      method: o.method,
      headers: o.headers,
      body: o.payload,
    });
    const text = await res.text();
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers),
      json: () => JSON.parse(text) as Record<string, unknown>,
    };
  };
  return { app: { inject }, deps, lines };
}

const apps: ReturnType<typeof buildApp>[] = [];
const base = new WeakMap<object, string>();
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const CRON = { 'x-appengine-cron': 'true' };
const QUEUE = { 'x-appengine-queuename': 'sync', 'content-type': 'application/json' };

describe('routes', () => {
  test.each([
    ['GET', '/tasks/poll-google'],
    ['GET', '/tasks/poll-company'],
    ['GET', '/tasks/clean-up-case-mappings'],
    ['GET', '/tasks/detect-outages'],
  ] as const)('%s %s refuses callers without X-Appengine-Cron: true', async (method, url) => {
    const { app } = appWith();
    expect((await app.inject({ method, url })).statusCode).toBe(403);
    expect(
      (await app.inject({ method, url, headers: { 'x-appengine-cron': 'false' } })).statusCode,
    ).toBe(403);
    // The queue header does not open a cron route.
    expect(
      (await app.inject({ method, url, headers: { 'x-appengine-queuename': 'sync' } })).statusCode,
    ).toBe(403);
    expect((await app.inject({ method, url, headers: CRON })).statusCode).toBe(200);
  });

  test.each(['/tasks/sync-google-case', '/tasks/sync-company-case', '/tasks/post-outage-notices'])(
    'POST %s refuses callers without X-AppEngine-QueueName',
    async (url) => {
      const { app } = appWith();
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...CRON },
        payload: '{}',
      });
      expect(res.statusCode).toBe(403);
    },
  );

  test('/healthz answers 200 and reveals nothing', async () => {
    const { app } = appWith();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  test.each([
    ['not json', 'text/plain', 'hello'],
    ['broken json', 'application/json', '{"caseName":'],
    ['missing field', 'application/json', '{}'],
    ['wrong shape', 'application/json', '{"caseName":"cases/1"}'],
    ['extra field', 'application/json', '{"caseName":"organizations/1/cases/2","x":1}'],
  ])(
    'a malformed sync body (%s) is answered 200 dropped with an ERROR log',
    async (_n, type, payload) => {
      const { app, lines } = appWith();
      const res = await app.inject({
        method: 'POST',
        url: '/tasks/sync-google-case',
        headers: { ...QUEUE, 'content-type': type as string },
        payload,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ outcome: 'dropped' });
      expect(
        lines.some(
          (l) =>
            JSON.parse(l).severity === 'ERROR' &&
            JSON.parse(l).message === 'malformed task body dropped',
        ),
      ).toBe(true);
    },
  );

  test.each(['{}', '{"mappingId":"a/b"}', '{"mappingId":"x","caseId":"1"}'])(
    'a malformed post-outage-notices body (%s) is dropped',
    async (payload) => {
      const { app } = appWith();
      const res = await app.inject({
        method: 'POST',
        url: '/tasks/post-outage-notices',
        headers: { ...QUEUE, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ outcome: 'dropped', reason: 'malformed-body' });
    },
  );

  test('post-outage-notices for a pair that is gone does nothing and is done', async () => {
    const { app } = appWith();
    const res = await app.inject({
      method: 'POST',
      url: '/tasks/post-outage-notices',
      headers: { ...QUEUE, 'content-type': 'application/json' },
      payload: '{"mappingId":"no-such-pair"}',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'done', notices: 0 });
  });

  test('a company case id that is not a Jira issue id is dropped', async () => {
    const { app } = appWith();
    const res = await app.inject({
      method: 'POST',
      url: '/tasks/sync-company-case',
      headers: QUEUE,
      payload: '{"caseId":"SUP-1"}',
    });
    expect(res.json()).toMatchObject({ outcome: 'dropped' });
  });

  test.each([
    [
      'permanent',
      new SyncError('permanent', 'GET issue answered 403', { status: 403 }),
      200,
      undefined,
    ],
    [
      'rate-limited',
      new SyncError('rate-limited', 'GET case answered 429', { status: 429, retryAfterSeconds: 7 }),
      503,
      '7',
    ],
    ['retry', new SyncError('retry', 'GET case answered 500', { status: 500 }), 500, undefined],
    ['unexpected', new TypeError('boom'), 500, undefined],
  ])('a %s error maps to %s', async (_kind, error, status, retryAfter) => {
    const deps = makeDeps();
    deps.support.failNext('searchUpdated', error as Error);
    const { app } = appWith(deps);
    const res = await app.inject({ method: 'GET', url: '/tasks/poll-google', headers: CRON });
    expect(res.statusCode).toBe(status);
    expect(res.headers['retry-after']).toBe(retryAfter);
    if (status === 200) expect(res.json()).toMatchObject({ outcome: 'dropped' });
  });

  test('detect-outages answers 500 while an outage lasts and 200 otherwise', async () => {
    const deps = makeDeps();
    await linkedFromGoogle(deps, {});
    const { app } = appWith(deps);
    expect(
      (await app.inject({ method: 'GET', url: '/tasks/detect-outages', headers: CRON })).statusCode,
    ).toBe(200);
    deps.clock.advance(3 * 60 * MINUTE); // no poll for 3 hours: every side is late
    const res = await app.inject({ method: 'GET', url: '/tasks/detect-outages', headers: CRON });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ outages: 1 });
  });
});
