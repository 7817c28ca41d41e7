// The Cloud Support simulator's own behaviour, over raw HTTP.
import type { Exchange } from '../../src/sandbox/exchange';
import {
  startGoogleSimulator,
  type GoogleSimulator,
  type GoogleSimulatorOptions,
} from '../../src/sandbox/google';

const ORG = 'organizations/4242';
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

const open: GoogleSimulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sim(
  opts: GoogleSimulatorOptions = {},
): Promise<{ sim: GoogleSimulator; clock: { ms: number } }> {
  const clock = { ms: T0 };
  const s = await startGoogleSimulator({
    now: () => new Date(clock.ms),
    defaultParent: ORG,
    ...opts,
  });
  open.push(s);
  return { sim: s, clock };
}

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

async function call(
  s: GoogleSimulator,
  method: string,
  path: string,
  opts: {
    json?: unknown;
    body?: Buffer | string;
    contentType?: string;
    token?: string | null;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? s.token}`;
  let body: Buffer | string | undefined = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const res = await fetch(`${s.url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* binary */
  }
  return { status: res.status, headers: res.headers, json, text };
}

const errorOf = (a: Answer): unknown => a.json.error;

describe('Cloud Support simulator over HTTP', () => {
  describe('auth and routing', () => {
    it('answers 401 UNAUTHENTICATED in Google’s envelope without a valid bearer token', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      for (const token of [null, 'wrong']) {
        const a = await call(s, 'GET', `/v2/${c.name}`, { token });
        expect(a.status).toBe(401);
        expect(errorOf(a)).toEqual({
          code: 401,
          message: expect.any(String),
          status: 'UNAUTHENTICATED',
        });
      }
      expect((await call(s, 'GET', `/v2/${c.name}`)).status).toBe(200);
    });

    it('answers 404 NOT_FOUND for unknown cases, wrong parents and unknown paths', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      expect((await call(s, 'GET', `/v2/${ORG}/cases/999`)).status).toBe(404);
      const wrongParent = await call(s, 'GET', `/v2/projects/other/cases/${c.number}`);
      expect(wrongParent.status).toBe(404);
      expect(errorOf(wrongParent)).toMatchObject({ code: 404, status: 'NOT_FOUND' });
      expect((await call(s, 'GET', '/v2/nothing/here')).status).toBe(404);
      expect(s.stats().byRoute.unknown).toBe(1);
    });

    it('returns the case in the wire format (camelCase, proto3 defaults omitted)', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({
        displayName: 'Disk',
        description: 'full',
        priority: 'P1',
        creatorDisplayName: 'Pat',
      });
      const a = await call(s, 'GET', `/v2/${c.name}`);
      expect(a.json).toEqual({
        name: c.name,
        displayName: 'Disk',
        description: 'full',
        classification: { id: 'sandbox-classification', displayName: expect.any(String) },
        timeZone: 'UTC',
        state: 'NEW',
        createTime: '2026-03-02T09:00:00.000Z',
        updateTime: '2026-03-02T09:00:00.000Z',
        creator: { displayName: 'Pat', email: expect.any(String), username: expect.any(String) },
        languageCode: 'en-US',
        priority: 'P1',
      });
      expect(a.headers.get('content-type')).toMatch(/^application\/json/);
    });
  });

  describe('cases.search', () => {
    it('pages with pageSize / pageToken / nextPageToken, scoped to the parent', async () => {
      const { sim: s } = await sim();
      const mine = Array.from(
        { length: 25 },
        (_, i) => s.createCase({ displayName: `c${i}`, description: 'd' }).name,
      );
      s.createCase({ parent: 'projects/p', displayName: 'other', description: 'd' });

      const first = await call(s, 'GET', `/v2/${ORG}/cases:search?pageSize=10`);
      expect((first.json.cases as unknown[]).length).toBe(10);
      const token = first.json.nextPageToken as string;
      expect(typeof token).toBe('string');
      const names: string[] = [];
      let next: string | undefined;
      do {
        const a = await call(
          s,
          'GET',
          `/v2/${ORG}/cases:search?pageSize=10${next ? `&pageToken=${encodeURIComponent(next)}` : ''}`,
        );
        names.push(...(a.json.cases as { name: string }[]).map((c) => c.name));
        next = a.json.nextPageToken as string | undefined;
      } while (next);
      expect(names).toEqual(mine);

      const defaults = await call(s, 'GET', `/v2/${ORG}/cases:search`);
      expect((defaults.json.cases as unknown[]).length).toBe(10);
      const capped = await call(s, 'GET', `/v2/${ORG}/cases:search?pageSize=500`);
      expect((capped.json.cases as unknown[]).length).toBe(25);
      expect((await call(s, 'GET', `/v2/projects/p/cases:search`)).json.cases).toHaveLength(1);
      expect((await call(s, 'GET', `/v2/projects/empty/cases:search`)).json).toEqual({});
    });

    it('filters on update_time > "RFC 3339" (quoted or not, any offset)', async () => {
      const { sim: s, clock } = await sim();
      s.createCase({ displayName: 'early', description: 'd' });
      clock.ms += 5000;
      const late = s.createCase({ displayName: 'late', description: 'd' });
      const q = (query: string): Promise<Answer> =>
        call(s, 'GET', `/v2/${ORG}/cases:search?query=${encodeURIComponent(query)}`);

      const names = (a: Answer): string[] =>
        ((a.json.cases ?? []) as { name: string }[]).map((c) => c.name);
      expect(names(await q('update_time>"2026-03-02T09:00:00Z"'))).toEqual([late.name]);
      expect(names(await q('update_time>2026-03-02T09:00:00.000Z'))).toEqual([late.name]);
      expect(names(await q('update_time>"2026-03-02T04:00:04+05:00"'))).toHaveLength(2);
      expect(names(await q('update_time>"2026-03-02T09:00:05Z"'))).toEqual([]);
      expect(names(await q('state=OPEN AND update_time>"2026-03-02T09:00:00Z"'))).toEqual([
        late.name,
      ]);
    });

    it('rejects unsupported queries and foreign page tokens with 400 INVALID_ARGUMENT', async () => {
      const { sim: s } = await sim();
      for (const query of [
        'update_time<"2026-01-01T00:00:00Z"',
        'update_time>"yesterday"',
        'displayName="x"',
      ]) {
        const a = await call(
          s,
          'GET',
          `/v2/${ORG}/cases:search?query=${encodeURIComponent(query)}`,
        );
        expect(a.status).toBe(400);
        expect(errorOf(a)).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      }
      expect((await call(s, 'GET', `/v2/${ORG}/cases:search?pageToken=garbage`)).status).toBe(400);
      expect((await call(s, 'GET', `/v2/${ORG}/cases:search?pageSize=-1`)).status).toBe(400);
      const unknown = await call(s, 'GET', `/v2/${ORG}/cases:search?filter=state%3DOPEN`);
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(errorOf(unknown))).toContain('Unknown name \\"filter\\"');
    });
  });

  describe('comments', () => {
    it('lists comments newest first, paged, and creates them as the API caller', async () => {
      const { sim: s, clock } = await sim({
        callerDisplayName: 'Bot',
        callerEmail: 'bot@p.iam.gserviceaccount.com',
      });
      const c = s.createCase({ displayName: 'x', description: 'd' });
      for (let i = 0; i < 12; i++) {
        clock.ms += 1000;
        s.addComment(c.name, { body: `c${i}` });
      }
      const created = await call(s, 'POST', `/v2/${c.name}/comments`, {
        json: { body: 'from the API' },
      });
      expect(created.status).toBe(200);
      expect(created.json).toMatchObject({
        name: expect.stringMatching(new RegExp(`^${c.name}/comments/[^/]+$`)),
        body: 'from the API',
        plainTextBody: 'from the API',
        creator: { displayName: 'Bot', email: 'bot@p.iam.gserviceaccount.com' },
      });
      expect((created.json.creator as Record<string, unknown>).googleSupport).toBeUndefined();

      const first = await call(s, 'GET', `/v2/${c.name}/comments?pageSize=5`);
      const bodies = (a: Answer): string[] =>
        (a.json.comments as { body: string }[]).map((x) => x.body);
      expect(bodies(first)).toEqual(['from the API', 'c11', 'c10', 'c9', 'c8']);
      const second = await call(
        s,
        'GET',
        `/v2/${c.name}/comments?pageSize=5&pageToken=${encodeURIComponent(first.json.nextPageToken as string)}`,
      );
      expect(bodies(second)).toEqual(['c7', 'c6', 'c5', 'c4', 'c3']);
      const google = (first.json.comments as { creator: Record<string, unknown> }[])[1]?.creator;
      expect(google).toEqual({ displayName: 'Google Support', googleSupport: true });
      expect(bodies(await call(s, 'GET', `/v2/${c.name}/comments`))).toHaveLength(10);
    });

    it('accepts 12,800 characters and refuses 12,801 or an empty body with 400', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      expect(
        (await call(s, 'POST', `/v2/${c.name}/comments`, { json: { body: '😀'.repeat(12_800) } }))
          .status,
      ).toBe(200);
      const tooLong = await call(s, 'POST', `/v2/${c.name}/comments`, {
        json: { body: 'x'.repeat(12_801) },
      });
      expect(tooLong.status).toBe(400);
      expect(errorOf(tooLong)).toMatchObject({ status: 'INVALID_ARGUMENT' });
      expect((await call(s, 'POST', `/v2/${c.name}/comments`, { json: { body: '' } })).status).toBe(
        400,
      );
      expect(
        (await call(s, 'POST', `/v2/${c.name}/comments`, { json: { text: 'hi' } })).status,
      ).toBe(400);
      expect(s.getCase(c.name).comments).toHaveLength(1);
    });
  });

  describe('writes', () => {
    it('bumps updateTime on every write, strictly increasing under a frozen clock', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      const times: number[] = [c.updateTime.getTime()];
      const at = async (): Promise<void> => {
        times.push(Date.parse((await call(s, 'GET', `/v2/${c.name}`)).json.updateTime as string));
      };
      await call(s, 'POST', `/v2/${c.name}/comments`, { json: { body: 'a' } });
      await at();
      await call(s, 'PATCH', `/v2/${c.name}?updateMask=priority`, { json: { priority: 'P1' } });
      await at();
      await call(
        s,
        'POST',
        `/upload/v2/${c.name}/attachments?uploadType=media&attachment.filename=a.txt`,
        {
          body: 'abc',
          contentType: 'text/plain',
        },
      );
      await at();
      await call(s, 'POST', `/v2/${c.name}:close`);
      await at();
      s.addComment(c.name, { body: 'person' });
      times.push(s.getCase(c.name).updateTime.getTime());
      expect(times).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5]);
    });

    it('creates cases (validated, numbered upwards) and patches priority with an update mask', async () => {
      const { sim: s } = await sim({ firstCaseNumber: 7000 });
      const body = {
        displayName: 'New',
        description: 'desc',
        classification: { id: 'cls-1' },
        priority: 'P2',
        testCase: true,
      };
      const a = await call(s, 'POST', `/v2/projects/acme/cases`, { json: body });
      const b = await call(s, 'POST', `/v2/${ORG}/cases`, { json: body });
      expect(a.json).toMatchObject({
        name: 'projects/acme/cases/7000',
        state: 'NEW',
        priority: 'P2',
        testCase: true,
      });
      expect(b.json.name).toBe(`${ORG}/cases/7001`);
      for (const bad of [
        { ...body, priority: undefined },
        { ...body, priority: 'PRIORITY_UNSPECIFIED' },
        { ...body, classification: {} },
        { ...body, displayName: '' },
        { ...body, colour: 'red' },
      ]) {
        expect((await call(s, 'POST', `/v2/${ORG}/cases`, { json: bad })).status).toBe(400);
      }

      const patched = await call(s, 'PATCH', `/v2/projects/acme/cases/7000?updateMask=priority`, {
        json: { priority: 'P0', displayName: 'ignored' },
      });
      expect(patched.json).toMatchObject({ priority: 'P0', displayName: 'New' });
      expect(
        (await call(s, 'PATCH', `/v2/projects/acme/cases/7000?updateMask=state`, { json: {} }))
          .status,
      ).toBe(400);
      expect(
        (
          await call(s, 'PATCH', `/v2/projects/acme/cases/7000?updateMask=priority`, {
            json: { priority: 'P7' },
          })
        ).status,
      ).toBe(400);
    });

    it('closes a case; closing it again answers 200 without a new update time', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      const first = await call(s, 'POST', `/v2/${c.name}:close`);
      expect(first.json).toMatchObject({ state: 'CLOSED' });
      const again = await call(s, 'POST', `/v2/${c.name}:close`, { json: {} });
      expect(again.status).toBe(200);
      expect(again.json.updateTime).toBe(first.json.updateTime);
    });
  });

  describe('attachments', () => {
    it('takes a multipart/related upload (JSON metadata + media) and serves it back with alt=media', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      const boundary = 'b0undary';
      const media = Buffer.concat([
        Buffer.from('line\r\n--b0undar'),
        Buffer.from([0, 255, 13, 10]),
      ]);
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\ncontent-type: application/json\r\n\r\n${JSON.stringify({ attachment: { filename: 'données.bin' } })}\r\n` +
            `--${boundary}\r\ncontent-type: image/png\r\n\r\n`,
        ),
        media,
        Buffer.from(`\r\n--${boundary}--`),
      ]);
      const up = await call(s, 'POST', `/upload/v2/${c.name}/attachments?uploadType=multipart`, {
        body,
        contentType: `multipart/related; boundary=${boundary}`,
      });
      expect(up.status).toBe(200);
      expect(up.json).toMatchObject({
        name: expect.stringMatching(new RegExp(`^${c.name}/attachments/[^/]+$`)),
        filename: 'données.bin',
        mimeType: 'image/png',
        sizeBytes: String(media.length),
      });

      const res = await fetch(`${s.url}/v2/${up.json.name as string}:download?alt=media`, {
        headers: { authorization: `Bearer ${s.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await res.arrayBuffer()).equals(media)).toBe(true);
      expect((await call(s, 'GET', `/v2/${up.json.name as string}:download`)).status).toBe(400);

      const list = await call(s, 'GET', `/v2/${c.name}/attachments`);
      expect(list.json.attachments).toEqual([up.json]);
    });

    it('takes a media upload with attachment.filename, and refuses one without a file name', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      const ok = await call(
        s,
        'POST',
        `/upload/v2/${c.name}/attachments?uploadType=media&attachment.filename=a%20b.txt`,
        {
          body: 'hello',
          contentType: 'text/plain',
        },
      );
      expect(ok.json).toMatchObject({
        filename: 'a b.txt',
        mimeType: 'text/plain',
        sizeBytes: '5',
      });
      const noName = await call(s, 'POST', `/upload/v2/${c.name}/attachments?uploadType=media`, {
        body: 'x',
      });
      expect(noName.status).toBe(400);
      const badMeta = await call(
        s,
        'POST',
        `/upload/v2/${c.name}/attachments?uploadType=multipart`,
        {
          body: '--b\r\ncontent-type: application/json\r\n\r\n{"filename":"x"}\r\n--b\r\n\r\nx\r\n--b--',
          contentType: 'multipart/related; boundary=b',
        },
      );
      expect(badMeta.status).toBe(400);
      const truncated = await call(
        s,
        'POST',
        `/upload/v2/${c.name}/attachments?uploadType=multipart`,
        {
          body: '--b\r\ncontent-type: application/json\r\n\r\n{}\r\n--b\r\n\r\nxxxx',
          contentType: 'multipart/related; boundary=b',
        },
      );
      expect(truncated.status).toBe(400);
      expect((await call(s, 'POST', `/v2/${c.name}/attachments`, { json: {} })).status).toBe(400);
      expect(s.getCase(c.name).attachments).toHaveLength(1);
    });

    it('answers 413 above maxUploadBytes', async () => {
      const { sim: s } = await sim({ maxUploadBytes: 10 });
      const c = s.createCase({ displayName: 'x', description: 'd' });
      const a = await call(s, 'POST', `/upload/v2/${c.name}/attachments?attachment.filename=big`, {
        body: Buffer.alloc(100_000),
      });
      expect(a.status).toBe(413);
      expect(s.getCase(c.name).attachments).toHaveLength(0);
    });
  });

  describe('faults', () => {
    it('fires for the next `count` matching requests only, with Retry-After', async () => {
      const { sim: s } = await sim();
      const c = s.createCase({ displayName: 'x', description: 'd' });
      s.faults.add({
        status: 429,
        retryAfterSeconds: 9,
        count: 2,
        method: 'GET',
        pathContains: ':search',
      });
      expect((await call(s, 'GET', `/v2/${c.name}`)).status).toBe(200);
      const first = await call(s, 'GET', `/v2/${ORG}/cases:search`);
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('9');
      expect(errorOf(first)).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
      expect((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status).toBe(429);
      expect((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status).toBe(200);
    });

    it('fires for a random fraction of requests, from the seedable random source', async () => {
      const draws = [0.05, 0.95, 0.29, 0.31, 0.5, 0.1];
      let i = 0;
      const { sim: s } = await sim({ random: () => draws[i++ % draws.length] ?? 1 });
      s.faults.add({ status: 500, rate: 0.3 });
      const statuses: number[] = [];
      for (let n = 0; n < 6; n++)
        statuses.push((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status);
      expect(statuses).toEqual([500, 200, 500, 200, 200, 500]);
      s.faults.clear();
      expect((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status).toBe(200);
    });

    it('drops the connection, and answers 503 UNAVAILABLE while down', async () => {
      const { sim: s } = await sim();
      s.faults.add({ drop: true, count: 1 });
      await expect(fetch(`${s.url}/v2/${ORG}/cases:search`)).rejects.toThrow();
      s.setDown(true);
      const down = await call(s, 'GET', `/v2/${ORG}/cases:search`);
      expect(down.status).toBe(503);
      expect(errorOf(down)).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
      expect((await call(s, 'GET', '/_control/cases', { token: null })).status).toBe(200);
      s.setDown(false);
      expect((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status).toBe(200);
    });

    it('never applies faults to the control API, which is not counted either', async () => {
      const { sim: s } = await sim();
      s.faults.add({ status: 500 });
      expect((await call(s, 'GET', '/_control/stats', { token: null })).status).toBe(200);
      expect((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status).toBe(500);
      expect(s.stats()).toEqual({ total: 1, byRoute: { 'cases.search': 1 } });
      s.resetStats();
      expect(s.stats()).toEqual({ total: 0, byRoute: {} });
    });
  });

  describe('control API', () => {
    it('drives cases, comments, attachments, priority, closure, faults, down and stats', async () => {
      const { sim: s } = await sim();
      const ctl = (
        method: string,
        path: string,
        opts: Parameters<typeof call>[3] = {},
      ): Promise<Answer> => call(s, method, `/_control${path}`, { token: null, ...opts });

      const created = await ctl('POST', '/cases', {
        json: {
          displayName: 'From control',
          description: 'd',
          priority: 'P2',
          createTime: '2026-02-01T00:00:00Z',
        },
      });
      expect(created.json).toMatchObject({
        displayName: 'From control',
        priority: 'P2',
        createTime: '2026-02-01T00:00:00.000Z',
      });
      const name = created.json.name as string;
      const num = name.split('/').pop() ?? '';

      expect(
        (await ctl('POST', `/cases/${num}/comments`, { json: { body: 'hi', displayName: 'Eng' } }))
          .json,
      ).toMatchObject({
        body: 'hi',
        creator: { displayName: 'Eng', googleSupport: true },
      });
      const att = await ctl(
        'POST',
        `/cases/${num}/attachments?filename=log.txt&mimeType=text/plain`,
        {
          body: Buffer.from('bytes!'),
        },
      );
      expect(att.json).toMatchObject({
        filename: 'log.txt',
        mimeType: 'text/plain',
        sizeBytes: '6',
      });
      const attId = (att.json.name as string).split('/').pop() ?? '';
      expect((await ctl('GET', `/cases/${num}/attachments/${attId}/content`)).text).toBe('bytes!');
      expect(
        (await ctl('POST', `/cases/${num}/priority`, { json: { priority: 'P0' } })).json.priority,
      ).toBe('P0');
      expect((await ctl('POST', `/cases/${num}/close`)).json.state).toBe('CLOSED');

      const detail = await ctl('GET', `/cases/${num}`);
      expect(detail.json).toMatchObject({ name, priority: 'P0', state: 'CLOSED' });
      expect((detail.json.comments as unknown[]).length).toBe(1);
      expect((detail.json.attachments as unknown[]).length).toBe(1);
      expect(((await ctl('GET', '/cases')).json.cases as unknown[]).length).toBe(1);
      expect((await ctl('GET', '/cases/424242')).status).toBe(404);
      expect((await ctl('POST', '/cases', { json: { description: 'no name' } })).status).toBe(400);

      expect((await ctl('POST', '/faults', { json: { status: 503, count: 1 } })).status).toBe(200);
      expect((await call(s, 'GET', `/v2/${name}`)).status).toBe(503);
      expect((await call(s, 'GET', `/v2/${name}`)).status).toBe(200);
      await ctl('POST', '/faults', { json: { status: 500 } });
      await ctl('DELETE', '/faults');
      expect((await call(s, 'GET', `/v2/${name}`)).status).toBe(200);
      await ctl('POST', '/down', { json: { down: true } });
      expect((await call(s, 'GET', `/v2/${name}`)).status).toBe(503);
      await ctl('POST', '/down', { json: { down: false } });
      expect((await ctl('GET', '/stats')).json).toEqual({ total: 4, byRoute: { 'cases.get': 4 } });

      const viaApi = s.getCase(name);
      expect(viaApi.comments[0]?.body).toBe('hi');
      expect(viaApi.attachments[0]?.content.toString()).toBe('bytes!');
    });
  });

  describe('exchange hook', () => {
    it('reports each API request with its JSON bodies, and not control requests', async () => {
      const seen: Exchange[] = [];
      const { sim: s } = await sim({ onExchange: (ex) => seen.push(ex) });
      const c = s.createCase({ displayName: 'x', description: 'd' });
      await call(s, 'POST', `/v2/${c.name}/comments?alt=json`, { json: { body: 'hello' } });
      await call(s, 'GET', '/_control/cases', { token: null });
      await call(s, 'GET', `/v2/${ORG}/cases/1`);

      expect(seen).toHaveLength(2);
      expect(seen[0]).toMatchObject({
        method: 'POST',
        path: `/v2/${c.name}/comments`,
        query: { alt: 'json' },
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        requestJson: { body: 'hello' },
        status: 200,
        responseHeaders: {
          'content-type': 'application/json; charset=UTF-8',
          'content-encoding': 'gzip',
        },
        responseJson: { body: 'hello' },
      });
      expect(seen[1]).toMatchObject({
        status: 404,
        responseJson: { error: { code: 404, status: 'NOT_FOUND' } },
      });
      expect(seen[1]?.requestJson).toBeUndefined();
    });
  });
});

describe('Cloud Support simulator: rate-limit answers and faults after handling', () => {
  it('429 RESOURCE_EXHAUSTED and 503 UNAVAILABLE carry Retry-After and a RetryInfo detail', async () => {
    const { sim: s } = await sim();
    s.faults.add({ status: 429, retryAfterSeconds: 4, count: 1 });
    const limited = await call(s, 'GET', `/v2/${ORG}/cases:search`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('4');
    expect(errorOf(limited)).toEqual({
      code: 429,
      message: expect.any(String),
      status: 'RESOURCE_EXHAUSTED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '4s' }],
    });
    s.faults.add({ status: 503, retryAfterSeconds: 2, count: 1 });
    const unavailable = await call(s, 'GET', `/v2/${ORG}/cases:search`);
    expect(unavailable.status).toBe(503);
    expect(errorOf(unavailable)).toMatchObject({
      status: 'UNAVAILABLE',
      details: [{ retryDelay: '2s' }],
    });
    s.faults.add({ status: 500, count: 1 });
    expect(errorOf(await call(s, 'GET', `/v2/${ORG}/cases:search`))).not.toHaveProperty('details');
  });

  it('an `after` fault lets the write happen, then answers the status or drops', async () => {
    const { sim: s } = await sim();
    const c = s.createCase({ displayName: 'x', description: 'd' });
    s.faults.add({ status: 500, after: true, count: 1, method: 'POST' });
    const failed = await call(s, 'POST', `/v2/${c.name}/comments`, { json: { body: 'once' } });
    expect(failed.status).toBe(500);
    expect(errorOf(failed)).toMatchObject({ code: 500, status: 'INTERNAL' });
    expect(s.getCase(c.name).comments.map((x) => x.body)).toEqual(['once']);
    s.faults.add({ drop: true, after: true, count: 1, method: 'POST' });
    await expect(
      call(s, 'POST', `/v2/${c.name}/comments`, { json: { body: 'twice' } }),
    ).rejects.toThrow();
    expect(s.getCase(c.name).comments).toHaveLength(2);
    expect((await call(s, 'GET', `/v2/${c.name}`)).status).toBe(200);
  });
});
