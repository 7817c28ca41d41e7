// The real GoogleSupportCases adapter against the Cloud Support simulator, over HTTP: what
// is specific to it (spec details, paging, streaming, error classification). The port's
// behaviour is the SupportCases contract (support-cases.contract.ts).
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { auth as googleAuth } from 'googleapis/build/src/apis/cloudsupport';
import {
  GoogleSupportCases,
  googleSupportCasesForEmulator,
} from '../../src/adapters/google/google-support-cases';
import { toAttachment, toComment, toSupportCase } from '../../src/adapters/google/google-mapping';
import { parseRetryAfter } from '../../src/adapters/http/retry-after';
import { nodeHttpFetch } from '../../src/adapters/google/node-http-fetch';
import { SyncError } from '../../src/domain/errors';
import type { RetryPolicy } from '../../src/adapters/retry';
import {
  startGoogleSimulator,
  type GoogleSimulator,
  type GoogleSimulatorOptions,
} from '../../src/sandbox/google';

const ORG = 'organizations/4242';
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const CONNECTOR = 'connector@sandbox-project.iam.gserviceaccount.com';
/** One attempt per call: these tests check classification (retries: rate-limits.test.ts). */
const NO_RETRY = { retry: { maxAttempts: 1 } };

interface Harness {
  sim: GoogleSimulator;
  cases: GoogleSupportCases;
  clock: { ms: number };
  /** Every URL the adapter fetched. */
  urls: string[];
}

const open: GoogleSimulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function harness(
  simOpts: GoogleSimulatorOptions = {},
  adapter: { requestTimeoutMs?: number; token?: string; retry?: RetryPolicy } = {},
): Promise<Harness> {
  const clock = { ms: T0 };
  const sim = await startGoogleSimulator({
    now: () => new Date(clock.ms),
    defaultParent: ORG,
    ...simOpts,
  });
  open.push(sim);
  const urls: string[] = [];
  const spy: typeof fetch = (input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return nodeHttpFetch(input, init);
  };
  const cases = googleSupportCasesForEmulator(sim.host, adapter.token ?? sim.token, {
    requestTimeoutMs: adapter.requestTimeoutMs,
    fetchImplementation: spy,
    retry: adapter.retry,
    // These tests classify single answers (an injected 429 included): the budget, which
    // would pause on such a 429, has its own tests (upstream-budget, rate-limits e2e).
    budget: false,
  });
  return { sim, cases, clock, urls };
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

function chunked(buf: Buffer, size = 64 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) pieces.push(buf.subarray(i, i + size));
  return Readable.from(pieces);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('GoogleSupportCases against the Cloud Support simulator', () => {
  describe('searchUpdated', () => {
    it('pages through more than 100 cases, 100 at a time, without loss or repeats', async () => {
      const { sim, cases } = await harness();
      const created = new Set<string>();
      for (let i = 0; i < 230; i++)
        created.add(sim.createCase({ displayName: `c${i}`, description: 'd' }).name);

      const seen: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      do {
        const page = await cases.searchUpdated(ORG, new Date(T0 - 1000), token);
        sizes.push(page.items.length);
        seen.push(...page.items.map((c) => c.name));
        token = page.nextPageToken;
      } while (token);

      expect(sizes).toEqual([100, 100, 30]);
      expect(new Set(seen)).toEqual(created);
      expect(seen).toHaveLength(230);
      expect(sim.stats().byRoute['cases.search']).toBe(3);
    });
  });

  describe('create', () => {
    it('creates a case under a project parent, stored as NEW with the connector as creator', async () => {
      const { sim, cases } = await harness();
      const created = await cases.create({
        parent: 'projects/acme-prod',
        displayName: 'VM down',
        description: 'CONTENT MIRRORED FROM COMPANY CASE SUP-1:\nbody',
        priority: 2,
        classificationId: '100IK2AKCLHMGRJ9',
        testCase: true,
      });

      expect(created).toMatchObject({ displayName: 'VM down', priority: 2, closed: false });
      expect(created.name).toMatch(/^projects\/acme-prod\/cases\/\d+$/);
      const stored = sim.getCase(created.name);
      expect(stored).toMatchObject({
        priority: 'P2',
        testCase: true,
        state: 'NEW',
        classification: { id: '100IK2AKCLHMGRJ9' },
        creator: { email: CONNECTOR, googleSupport: false },
      });
    });
  });

  describe('comments', () => {
    it('lists comments oldest first with their authors', async () => {
      const { sim, cases, clock } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      sim.addComment(c.name, { body: 'first, from Google', displayName: 'Alex' });
      clock.ms += 1000;
      sim.addComment(c.name, {
        body: 'second, from the customer',
        googleSupport: false,
        displayName: 'Sam',
      });
      clock.ms += 1000;
      const mine = await cases.addComment(c.name, '[Company Comment 10001 by Kim]\nthird');

      expect(mine).toMatchObject({
        body: '[Company Comment 10001 by Kim]\nthird',
        isPublic: true,
        author: { isConnector: true, isGoogleSupport: false },
      });
      const list = await cases.listComments(c.name);
      expect(list.map((x) => x.body)).toEqual([
        'first, from Google',
        'second, from the customer',
        '[Company Comment 10001 by Kim]\nthird',
      ]);
      expect(list.map((x) => x.author)).toEqual([
        { displayName: 'Alex', isConnector: false, isGoogleSupport: true },
        { displayName: 'Sam', isConnector: false, isGoogleSupport: false },
        { displayName: 'Connector Service Account', isConnector: true, isGoogleSupport: false },
      ]);
      expect(list[2]?.id).toBe(mine.id);
      // items get strictly increasing times, after the case's creation
      expect(list[0]?.createTime).toEqual(new Date(T0 + 1));
    });

    it('pages through more than 100 comments and keeps creation order', async () => {
      const { sim, cases, clock } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      for (let i = 0; i < 250; i++) {
        clock.ms += 10;
        sim.addComment(c.name, { body: `c${i}` });
      }
      sim.resetStats();
      const all = await cases.listComments(c.name);
      expect(all.map((x) => x.body)).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
      expect(sim.stats().byRoute['cases.comments.list']).toBe(3);
    });

    it('returns only comments after `since` and stops paging once a page reaches it', async () => {
      const { sim, cases, clock } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      const created = [];
      for (let i = 0; i < 250; i++) {
        clock.ms += 10;
        created.push(sim.addComment(c.name, { body: `c${i}` }));
      }
      sim.resetStats();
      const since = created[199]?.createTime ?? new Date(0);
      const recent = await cases.listComments(c.name, since);
      expect(recent.map((x) => x.body)).toEqual(
        Array.from({ length: 50 }, (_, i) => `c${200 + i}`),
      );
      expect(sim.stats().byRoute['cases.comments.list']).toBe(1);

      sim.resetStats();
      const older = await cases.listComments(c.name, created[99]?.createTime);
      expect(older).toHaveLength(150);
      expect(older[0]?.body).toBe('c100');
      expect(sim.stats().byRoute['cases.comments.list']).toBe(2);

      expect(await cases.listComments(c.name, new Date(clock.ms + 1))).toEqual([]);
    });

    it('refuses a comment over 12,800 characters (permanent, no text in the message)', async () => {
      const { sim, cases } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      const text = `SECRET-${'x'.repeat(12_800)}`;
      const e = await failure(cases.addComment(c.name, text));
      expect(e.kind).toBe('permanent');
      expect(e.status).toBe(400);
      expect(e.message).toBe('Cloud Support cases.comments.create failed: HTTP 400');
      expect(sim.getCase(c.name).comments).toHaveLength(0);
      await cases.addComment(c.name, 'é'.repeat(12_800));
      expect(sim.getCase(c.name).comments).toHaveLength(1);
    });
  });

  describe('attachments', () => {
    it('uploads a multi-MB file to the simulator and downloads it byte for byte (streamed)', async () => {
      const { sim, cases, urls } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      const bytes = randomBytes(6 * 1024 * 1024 + 123);

      const att = await cases.upload(c.name, {
        filename: 'heap.dump',
        mimeType: 'application/octet-stream',
        sizeBytes: bytes.length,
        content: chunked(bytes),
      });

      expect(att).toMatchObject({
        filename: 'heap.dump',
        mimeType: 'application/octet-stream',
        sizeBytes: bytes.length,
        author: { isConnector: true, isGoogleSupport: false },
      });
      const stored = sim.getCase(c.name).attachments;
      expect(stored).toHaveLength(1);
      expect(sha(stored[0]?.content ?? Buffer.alloc(0))).toBe(sha(bytes));
      expect(sim.stats().byRoute['media.upload']).toBe(1);
      expect(urls.every((u) => u.startsWith(`${sim.url}/`))).toBe(true);
      expect(
        urls.some((u) =>
          u.startsWith(`${sim.url}/upload/v2/${c.name}/attachments?uploadType=multipart`),
        ),
      ).toBe(true);

      const down = await cases.download(c.name, att.id);
      expect(down).toBeInstanceOf(Readable);
      expect(sha(await readAll(down))).toBe(sha(bytes));
      expect(sim.stats().byRoute['media.download']).toBe(1);
    });

    it('lists attachments oldest first across pages, marking who wrote them', async () => {
      const { sim, cases, clock } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      for (let i = 0; i < 105; i++) {
        clock.ms += 5;
        sim.addAttachment(c.name, {
          filename: `f${i}.log`,
          mimeType: 'text/plain',
          content: Buffer.from(`#${i}`),
        });
      }
      const list = await cases.listAttachments(c.name);
      expect(list).toHaveLength(105);
      expect(list[0]).toMatchObject({
        filename: 'f0.log',
        mimeType: 'text/plain',
        sizeBytes: 2,
        author: { isConnector: false, isGoogleSupport: true },
      });
      expect(list[104]?.filename).toBe('f104.log');
    });

    it('fails an upload whose source stream breaks, as a retry, without storing anything', async () => {
      const { sim, cases } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      async function* broken(): AsyncGenerator<Buffer> {
        yield Buffer.alloc(64 * 1024, 1);
        throw new Error('source went away');
      }
      const e = await failure(
        cases.upload(c.name, {
          filename: 'b.bin',
          mimeType: 'application/octet-stream',
          sizeBytes: 1e6,
          content: Readable.from(broken()),
        }),
      );
      expect(e.kind).toBe('retry');
      expect(sim.getCase(c.name).attachments).toHaveLength(0);
    });
    it('gives up on an upload whose source stalls longer than requestTimeoutMs (retry)', async () => {
      const { sim, cases } = await harness({}, { requestTimeoutMs: 200 });
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      const stalled = new PassThrough();
      stalled.write(Buffer.alloc(1024, 1)); // then nothing, and no end
      const e = await failure(
        cases.upload(c.name, {
          filename: 's.bin',
          mimeType: 'application/octet-stream',
          sizeBytes: 1e6,
          content: stalled,
        }),
      );
      expect(e.kind).toBe('retry');
      expect(e.message).toBe('Cloud Support media.upload failed: network error (timeout)');
      expect(stalled.destroyed).toBe(true);
      expect(sim.getCase(c.name).attachments).toHaveLength(0);
    });

    it('turns a download cut off midway into a retry error on the stream', async () => {
      const { sim } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      const a = sim.addAttachment(c.name, {
        filename: 'big.bin',
        content: randomBytes(512 * 1024),
      });
      // The connection dies after the first chunk of the body.
      const cutting: typeof fetch = async (input, init) => {
        const res = await nodeHttpFetch(input, init);
        const url = input instanceof Request ? input.url : String(input);
        if (!url.includes(':download') || !res.body) return res;
        const reader = res.body.getReader();
        let first = true;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (first) {
              first = false;
              const r = await reader.read();
              if (r.value) controller.enqueue(r.value);
              return;
            }
            await reader.cancel();
            controller.error(new TypeError('terminated'));
          },
        });
        return new Response(body, { status: res.status, headers: res.headers });
      };
      const cases = googleSupportCasesForEmulator(sim.host, sim.token, {
        fetchImplementation: cutting,
      });
      const stream = await cases.download(c.name, a.id);
      const e = await failure(readAll(stream));
      expect(e).toMatchObject({ kind: 'retry', source: 'google' });
      expect(e.message).toBe('Cloud Support media.download failed: stream interrupted');
    });
  });

  describe('error classification', () => {
    it('429 with Retry-After → rate-limited with retryAfterSeconds', async () => {
      const { sim, cases } = await harness({}, NO_RETRY);
      sim.faults.add({ status: 429, retryAfterSeconds: 17, count: 1 });
      const e = await failure(cases.searchUpdated(ORG, new Date(T0)));
      expect(e).toMatchObject({
        kind: 'rate-limited',
        status: 429,
        retryAfterSeconds: 17,
        source: 'google',
      });
      expect(e.message).toBe('Cloud Support cases.search failed: HTTP 429');
      expect((await cases.searchUpdated(ORG, new Date(T0))).items).toEqual([]);
    });

    it('500 and 503 → retry; 503 with Retry-After → rate-limited', async () => {
      const { sim, cases } = await harness({}, NO_RETRY);
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      sim.faults.add({ status: 500, count: 1 });
      expect(await failure(cases.get(c.name))).toMatchObject({ kind: 'retry', status: 500 });
      sim.faults.add({ status: 503, count: 1 });
      expect(await failure(cases.listComments(c.name))).toMatchObject({
        kind: 'retry',
        status: 503,
      });
      sim.faults.add({ status: 503, count: 1, retryAfterSeconds: 30 });
      expect(await failure(cases.listAttachments(c.name))).toMatchObject({
        kind: 'rate-limited',
        status: 503,
        retryAfterSeconds: 30,
      });
      sim.setDown(true);
      expect(await failure(cases.close(c.name))).toMatchObject({ kind: 'retry', status: 503 });
      sim.setDown(false);
      await cases.close(c.name);
    });

    it('a dropped connection → retry (the library does not retry by itself)', async () => {
      const { sim, cases } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      sim.faults.add({ drop: true, count: 1 });
      const e = await failure(cases.addComment(c.name, 'SECRET body'));
      expect(e.kind).toBe('retry');
      expect(e.status).toBeUndefined();
      expect(e.message).toMatch(/^Cloud Support cases\.comments\.create failed: network error/);
      expect(e.message).not.toContain('SECRET');
      expect(sim.stats().byRoute['cases.comments.create']).toBe(1);
      expect(sim.getCase(c.name).comments).toHaveLength(0);
    });

    it('a request slower than requestTimeoutMs → retry', async () => {
      const { sim, cases } = await harness({}, { requestTimeoutMs: 150, ...NO_RETRY });
      sim.faults.add({ latencyMs: 2000, count: 1 });
      const e = await failure(cases.searchUpdated(ORG, new Date(T0)));
      expect(e.kind).toBe('retry');
      expect(e.message).toBe('Cloud Support cases.search failed: network error (timeout)');
    });

    it('a wrong token → 401, permanent', async () => {
      const { cases } = await harness({}, { token: 'not-the-token' });
      const e = await failure(cases.searchUpdated(ORG, new Date(T0)));
      expect(e).toMatchObject({ kind: 'permanent', status: 401 });
    });

    it('a faulted upload is rejected without the file being stored', async () => {
      const { sim, cases } = await harness();
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      sim.faults.add({ status: 503, pathContains: '/upload/', count: 1 });
      const bytes = randomBytes(300_000);
      const e = await failure(
        cases.upload(c.name, {
          filename: 'x.bin',
          mimeType: 'application/octet-stream',
          sizeBytes: bytes.length,
          content: chunked(bytes),
        }),
      );
      expect(e).toMatchObject({ kind: 'retry', status: 503 });
      expect(sim.getCase(c.name).attachments).toHaveLength(0);
      await cases.upload(c.name, {
        filename: 'x.bin',
        mimeType: 'application/octet-stream',
        sizeBytes: bytes.length,
        content: chunked(bytes),
      });
      expect(sim.getCase(c.name).attachments).toHaveLength(1);
    });
  });

  describe('auth', () => {
    it('works with an OAuth2 client holding an access token', async () => {
      const { sim } = await harness();
      const oauth = new googleAuth.OAuth2();
      oauth.setCredentials({ access_token: sim.token });
      const cases = new GoogleSupportCases({
        rootUrl: `${sim.url}/`,
        auth: oauth,
        connectorEmail: CONNECTOR,
      });
      const c = sim.createCase({ displayName: 'x', description: 'd' });
      const comment = await cases.addComment(c.name, 'hello');
      expect(comment.author.isConnector).toBe(true);
      expect((await cases.get(c.name))?.name).toBe(c.name);
    });
  });
});

describe('Google mapping of unknown values', () => {
  it('maps an unknown priority to null and an unknown state to open', () => {
    const c = toSupportCase({
      name: 'projects/p/cases/1',
      priority: 'P9',
      state: 'SOMETHING_NEW',
      createTime: '2026-01-01T00:00:00.123456789Z',
    });
    expect(c).toMatchObject({ priority: null, closed: false, displayName: '', description: '' });
    expect(c.updateTime).toEqual(new Date('2026-01-01T00:00:00.123Z'));
    expect(
      toSupportCase({
        name: 'n',
        priority: 'PRIORITY_UNSPECIFIED',
        createTime: '2026-01-01T00:00:00Z',
      }).priority,
    ).toBeNull();
  });

  it('prefers body over plainTextBody and matches the connector by email or username', () => {
    const base = { name: 'projects/p/cases/1/comments/9', createTime: '2026-01-01T00:00:00Z' };
    expect(toComment({ ...base, plainTextBody: 'plain' }, undefined).body).toBe('plain');
    expect(toComment({ ...base, body: 'rich', plainTextBody: 'plain' }, undefined).body).toBe(
      'rich',
    );
    const byUser = toComment(
      { ...base, creator: { displayName: 'me', username: 'Me@X.com' } },
      'me@x.com',
    );
    expect(byUser.author.isConnector).toBe(true);
    expect(
      toComment({ ...base, creator: { email: 'me@x.com' } }, undefined).author.isConnector,
    ).toBe(false);
    expect(
      toAttachment(
        { name: 'projects/p/cases/1/attachments/a1', createTime: base.createTime, sizeBytes: '12' },
        undefined,
      ),
    ).toMatchObject({
      id: 'a1',
      sizeBytes: 12,
      mimeType: 'application/octet-stream',
    });
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Mon, 02 Mar 2026 09:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Mon, 02 Mar 2026 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
