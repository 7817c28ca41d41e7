// Zendesk-specific behaviour of ZendeskCrm, over HTTP against the Zendesk simulator: OAuth
// renewal, the export cursor and its rate limit, safe updates, streamed attachments that
// never carry credentials to the content host, closed tickets, tags, limits, priorities.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ZendeskCrm, type ZendeskCrmOptions } from '../../src/adapters/zendesk/zendesk-crm';
import { ReadOnlyTargetError, TooLargeError } from '../../src/domain/errors';
import { DEFAULT_ZENDESK_SYNC_TAG as TAG } from '../../src/domain/settings';
import { startZendeskSimulator, type ZendeskSimulator } from '../../src/sandbox/zendesk';
import type { Exchange } from '../../src/sandbox/exchange';
import { FakeClock, MINUTE, SECOND } from '../support/fake-clock';
import { readAll } from '../support/streams';
import { TestLogger } from '../support/test-logger';
import { allPages, patternBytes, syncErrorOf, uploadOf } from './port-contract-helpers';

interface World {
  sim: ZendeskSimulator;
  clock: FakeClock;
  exchanges: Exchange[];
  crm(over?: Partial<ZendeskCrmOptions>): ZendeskCrm;
}

async function world(simOpts: Parameters<typeof startZendeskSimulator>[0] = {}): Promise<World> {
  const clock = new FakeClock();
  const exchanges: Exchange[] = [];
  const sim = await startZendeskSimulator({
    now: () => clock.now(),
    perTicketUpdateLimit: false,
    onExchange: (ex) => exchanges.push(ex),
    ...simOpts,
  });
  return {
    sim,
    clock,
    exchanges,
    crm: (over = {}) =>
      new ZendeskCrm({
        baseUrl: sim.url,
        auth: { kind: 'oauth', clientId: sim.oauthClientId, clientSecret: sim.oauthClientSecret },
        now: () => clock.ms,
        requestTimeoutMs: 5000,
        retry: {
          now: () => clock.ms,
          sleep: async (ms) => void clock.advance(ms),
          random: () => 0,
        },
        ...over,
      }),
  };
}

let w: World;
afterEach(async () => {
  await w?.sim.close();
});

const calls = (w: World, path: string, status?: number): number =>
  w.exchanges.filter((e) => e.path.includes(path) && (status === undefined || e.status === status))
    .length;

describe('ZendeskCrm on the Zendesk simulator', () => {
  it('fetches an OAuth token once, renews it before expires_in, and once on a 401', async () => {
    w = await world({ tokenTtlSeconds: 600 });
    const crm = w.crm();
    const id = String(w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] }).id);
    await crm.get(id);
    await crm.get(id);
    const tokenCalls = () => calls(w, '/oauth/tokens');
    expect(tokenCalls()).toBe(1);
    w.clock.advance(590 * SECOND); // inside the renewal margin
    await crm.get(id);
    expect(tokenCalls()).toBe(2);
    w.clock.advance(2 * 600 * SECOND); // the simulator expires the token: 401, renewed once
    expect((await crm.get(id))?.id).toBe(id);
    expect(tokenCalls()).toBeGreaterThanOrEqual(3);
  });

  it('also speaks legacy API-token basic auth', async () => {
    w = await world();
    const crm = w.crm({ auth: { kind: 'token', email: w.sim.email, apiToken: w.sim.apiToken } });
    const id = String(w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] }).id);
    expect((await crm.get(id))?.summary).toBe('s');
  });

  it('follows the export cursor to end_of_stream and waits out its 429', async () => {
    w = await world({ exportRequestsPerMinute: 2 });
    // Its Retry-After can reach a minute: a budget that allows one such wait.
    const crm = w.crm({
      pageSize: 1,
      retry: {
        now: () => w.clock.ms,
        sleep: async (ms) => void w.clock.advance(ms),
        random: () => 0,
        budgetMs: 2 * MINUTE,
      },
    });
    const start = w.clock.now();
    const ids = [1, 2, 3].map((i) =>
      String(w.sim.createTicket({ subject: `t${i}`, description: 'd', tags: [TAG] }).id),
    );
    w.clock.advance(2 * MINUTE);
    const { items, pages } = await allPages((token) => crm.searchUpdated(start, token));
    expect(items.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(calls(w, '/incremental/tickets/cursor', 429)).toBeGreaterThan(0);
  });

  it('no longer selects a ticket whose sync tag was removed (and that has no link)', async () => {
    w = await world({ exportRequestsPerMinute: 0 });
    const crm = w.crm();
    const start = w.clock.now();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    w.sim.setTags(t.id, []);
    w.clock.advance(2 * MINUTE);
    expect((await allPages((k) => crm.searchUpdated(start, k))).items).toEqual([]);
  });

  it('retries a safe update that answered 409 after reading the ticket again', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG, 'keep-me'] });
    w.sim.faults.add({
      method: 'PUT',
      pathContains: `/api/v2/tickets/${t.id}`,
      status: 409,
      count: 1,
    });
    await crm.setPriority(String(t.id), 0);
    expect(calls(w, `/api/v2/tickets/${t.id}`, 409)).toBe(1);
    const after = w.sim.getTicket(t.id);
    expect(after?.priority).toBe('urgent');
    expect(after?.tags).toEqual(expect.arrayContaining([TAG, 'keep-me']));
  });

  it('streams an upload with its MIME type and downloads it without credentials on the content host', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    const data = patternBytes(200_000, 5);
    const att = await crm.upload(
      String(t.id),
      uploadOf('dump.json', data, { mimeType: 'application/json' }),
    );
    expect(att).toMatchObject({ mimeType: 'application/json', sizeBytes: 200_000 });
    const stored = w.sim.getTicket(t.id)?.comments.flatMap((c) => c.attachments) ?? [];
    expect(stored.map((a) => a.content_type)).toEqual(['application/json']);
    expect((await readAll(await crm.download(String(t.id), att.id))).equals(data)).toBe(true);
    // The content host refuses any Authorization header: a download that worked sent none.
    expect(new URL(w.sim.contentUrl).origin).not.toBe(new URL(w.sim.url).origin);
    expect(w.sim.contentAuthRefusals()).toBe(0);
  });

  it('refuses an attachment over 50 MB before sending a byte', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    expect(await crm.uploadLimitBytes()).toBe(50 * 1024 * 1024);
    const content = new Readable({ read() {} });
    const e = await syncErrorOf(
      crm.upload(String(t.id), {
        filename: 'huge.bin',
        mimeType: 'application/octet-stream',
        sizeBytes: 50 * 1024 * 1024 + 1,
        content,
      }),
    );
    expect(e).toBeInstanceOf(TooLargeError);
    expect(content.destroyed).toBe(true);
  });

  it('drops a write to a closed ticket as a permanent error; a solved or closed ticket is closed', async () => {
    w = await world();
    const log = new TestLogger();
    const crm = w.crm({ log });
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    w.sim.setStatus(t.id, 'closed');
    expect((await crm.get(String(t.id)))?.closed).toBe(true);
    const before = w.exchanges.length;
    const e = await syncErrorOf(crm.addComment(String(t.id), 'late', { visibility: 'internal' }));
    expect(e).toBeInstanceOf(ReadOnlyTargetError);
    expect(e.kind).toBe('permanent');
    expect(e.message).toBe('Zendesk comment: the ticket is closed (read-only); write dropped');
    // No read first: the PUT's own 422 says the ticket is closed, and it is not repeated.
    expect(w.exchanges.slice(before).map((x) => `${x.method} ${x.path} ${x.status}`)).toEqual([
      `PUT /api/v2/tickets/${t.id} 422`,
    ]);
    expect(log.find('zendesk ticket closed: write dropped').map((l) => l.fields)).toEqual([
      { ticketId: String(t.id), write: 'comment' },
    ]);
    await expect(crm.close(String(t.id))).resolves.toBeUndefined();
    expect(w.sim.getTicket(t.id)?.comments).toHaveLength(1);
  });

  it('drops an upload to a closed ticket before sending its bytes', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    w.sim.setStatus(t.id, 'closed');
    const e = await syncErrorOf(crm.upload(String(t.id), uploadOf('late.txt', Buffer.from('x'))));
    expect(e).toBeInstanceOf(ReadOnlyTargetError);
    expect(calls(w, '/api/v2/uploads')).toBe(0);
  });

  it('a refusal that is not about a closed ticket stays a plain permanent 422', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    // Zendesk refuses a comment that carries neither text nor files (RecordInvalid, BlankValue).
    const e = await syncErrorOf(crm.addComment(String(t.id), ' ', { visibility: 'internal' }));
    expect(e).not.toBeInstanceOf(ReadOnlyTargetError);
    expect(e).toMatchObject({ kind: 'permanent', status: 422 });
  });

  it('writes a comment in one PUT and returns it from the audit, as a read would list it', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    await crm.get(String(t.id)); // token and warm-up out of the count
    await crm.addComment(String(t.id), 'first', { visibility: 'public' }); // users/me, once
    w.clock.advance(1500);
    const before = w.exchanges.length;
    const written = await crm.addComment(String(t.id), '[Google Comment 2 by X]\nhi', {
      visibility: 'internal',
      mirrorOf: 'google:2',
    });
    expect(w.exchanges.slice(before).map((x) => `${x.method} ${x.path}`)).toEqual([
      `PUT /api/v2/tickets/${t.id}`,
    ]);
    const listed = await crm.listComments(String(t.id));
    expect(listed).toHaveLength(2);
    expect(written).toEqual(listed[1]);
    expect(written).toMatchObject({
      body: '[Google Comment 2 by X]\nhi',
      isPublic: false,
      mirrorOf: 'google:2',
      author: { isConnector: true },
    });
  });

  it('uploads a file in three calls (ticket, upload, PUT) and returns it as listed', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    await crm.addComment(String(t.id), 'warm-up', { visibility: 'internal' });
    const before = w.exchanges.length;
    const att = await crm.upload(String(t.id), uploadOf('a.txt', Buffer.from('abc')));
    expect(w.exchanges.slice(before).map((x) => `${x.method} ${x.path}`)).toEqual([
      `GET /api/v2/tickets/${t.id}`,
      'POST /api/v2/uploads',
      `PUT /api/v2/tickets/${t.id}`,
    ]);
    expect(await crm.listAttachments(String(t.id))).toEqual([att]);
  });

  it('writes a comment once after an ambiguous failure of its PUT (never repeated)', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    w.sim.faults.add({
      method: 'PUT',
      pathContains: `/tickets/${t.id}`,
      status: 500,
      after: true,
      count: 1,
    });
    const e = await syncErrorOf(crm.addComment(String(t.id), 'once', { visibility: 'internal' }));
    expect(e.kind).toBe('retry');
    expect(calls(w, `/api/v2/tickets/${t.id}`)).toBe(1);
    expect(w.sim.getTicket(t.id)?.comments.map((c) => c.body)).toEqual(['d', 'once']);
  });

  it('reads the comments back when the audit lacks the Comment event', async () => {
    w = await world();
    const proxy = await auditStripper(w.sim.url);
    try {
      const crm = w.crm({ baseUrl: proxy.url });
      const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
      const before = w.exchanges.length;
      const written = await crm.addComment(String(t.id), 'hi', {
        visibility: 'internal',
        mirrorOf: 'google:9',
      });
      expect(proxy.stripped()).toBe(1);
      expect(calls(w, `/api/v2/tickets/${t.id}/comments`)).toBe(1);
      expect(w.exchanges.length - before).toBeGreaterThanOrEqual(2);
      expect(written).toEqual((await crm.listComments(String(t.id)))[0]);
      expect(written).toMatchObject({ body: 'hi', mirrorOf: 'google:9' });
    } finally {
      await proxy.close();
    }
  });

  it('maps an unset or unknown priority to null, and P4 → low → P3 for a person’s value', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG], priority: null });
    expect((await crm.get(String(t.id)))?.priority).toBeNull();
    w.sim.setPriority(t.id, 'low');
    expect((await crm.get(String(t.id)))?.priority).toBe(3);
  });

  it('writes public explicitly and marks its comments by the audit metadata', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    await crm.addComment(String(t.id), '[Google Comment 1 by X]\nhi', {
      visibility: 'internal',
      mirrorOf: 'google:1',
    });
    const c = w.sim.getTicket(t.id)?.comments[1];
    expect(c).toMatchObject({ public: false, author: { id: w.sim.apiUser.id } });
    expect(JSON.stringify(c?.metadata)).toContain('google:1');
    const [listed] = await crm.listComments(String(t.id));
    expect(listed).toMatchObject({ mirrorOf: 'google:1', author: { isConnector: true } });
  });

  it('lists a file attached without text as an attachment only, not as an empty comment', async () => {
    w = await world();
    const crm = w.crm();
    const t = w.sim.createTicket({ subject: 's', description: 'd', tags: [TAG] });
    w.sim.addComment(t.id, { body: 'see the file', authorName: 'Sam' });
    w.sim.addAttachment(t.id, { filename: 'only.txt', content: Buffer.from('x') });
    expect((await crm.listComments(String(t.id))).map((c) => c.body)).toEqual(['see the file']);
    expect((await crm.listAttachments(String(t.id))).map((a) => a.filename)).toEqual(['only.txt']);
  });
});

/**
 * An HTTP hop in front of the simulator that removes `audit.events` from every ticket PUT's
 * answer (an audit without its Comment event), passing everything else through.
 */
async function auditStripper(
  target: string,
): Promise<{ url: string; stripped(): number; close(): Promise<void> }> {
  let stripped = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host',
          ),
        );
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const up = await fetch(`${target}${req.url ?? '/'}`, {
          method: req.method,
          headers,
          ...(body ? { body } : {}),
        });
        let text = await up.text();
        if (req.method === 'PUT' && /^\/api\/v2\/tickets\/\d+/.test(req.url ?? '') && up.ok) {
          const json = JSON.parse(text) as { audit?: { events?: unknown } };
          if (json.audit) delete json.audit.events;
          text = JSON.stringify(json);
          stripped += 1;
        }
        res.writeHead(up.status, {
          'content-type': up.headers.get('content-type') ?? 'text/plain',
        });
        res.end(text);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stripped: () => stripped,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
