// The Cloud Support simulator's wire format at the edges: paths with colons (Google's
// custom verbs), paths that look like routes but are not, bodies the router never sees,
// and what the HTTP server itself answers. Nothing of the web framework may show through.
import net from 'node:net';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';

const ORG = 'organizations/4242';

const open: GoogleSimulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sim(): Promise<GoogleSimulator> {
  const s = await startGoogleSimulator({ defaultParent: ORG });
  open.push(s);
  return s;
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
  opts: { body?: string; contentType?: string; token?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? s.token}`;
  if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  const res = await fetch(`${s.url}${path}`, { method, headers, body: opts.body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Sends raw bytes and returns everything the server writes until it closes. */
function raw(s: GoogleSimulator, bytes: string): Promise<string> {
  const [host, port] = s.host.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host ?? '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
    socket.write(bytes);
  });
}

const NOT_FOUND = {
  error: {
    code: 404,
    message: 'The requested URL was not found on this server.',
    status: 'NOT_FOUND',
  },
};

describe('Cloud Support simulator: wire format at the edges', () => {
  it('routes custom verbs (`:close`, `:search`, `:download`) exactly, and nothing near them', async () => {
    const s = await sim();
    const c = s.createCase({ displayName: 'x', description: 'd' });
    const att = s.addAttachment(c.name, { filename: 'a.txt', content: Buffer.from('abc') });
    const unknown: [string, string][] = [
      ['GET', `/v2/${c.name}:close`],
      ['POST', `/v2/${c.name}:closed`],
      ['POST', `/v2/${c.name}%3Aclose`],
      ['POST', `/v2/${c.name}:close:close`],
      ['POST', `/v2/${ORG}/cases:search`],
      ['GET', `/v2/${ORG}/cases:searchx`],
      ['GET', `/v2/${ORG}:search`],
      ['GET', `/v2/${att.name}`],
      ['GET', `/v2/${att.name}:downloads?alt=media`],
      ['GET', `/v2/${c.name}/`],
      ['GET', `/v2/${c.name}//comments`],
      ['GET', `/v2/folders/1/cases/${c.number}`],
      ['GET', `/v2/organizations/a:b/cases/${c.number}`],
      ['DELETE', `/v2/${c.name}`],
      ['PUT', `/v2/${c.name}`],
      ['OPTIONS', `/v2/${c.name}`],
      ['GET', `/V2/${c.name}`],
      ['GET', `/v2/organizations/%zz/cases/${c.number}`],
      ['GET', '/'],
    ];
    for (const [method, path] of unknown) {
      const a = await call(s, method, path);
      expect([method, path, a.status, a.json]).toEqual([method, path, 404, NOT_FOUND]);
    }
    expect(s.stats()).toEqual({ total: unknown.length, byRoute: { unknown: unknown.length } });

    s.resetStats();
    expect((await call(s, 'POST', `/v2/${c.name}:close`)).json).toMatchObject({ state: 'CLOSED' });
    expect((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status).toBe(200);
    expect((await call(s, 'GET', `/v2/${att.name}:download?alt=media`)).text).toBe('abc');
    // an encoded colon is data, not a verb: the case does not exist
    const encoded = await call(s, 'GET', `/v2/${c.name}%3Aclose`);
    expect(encoded.status).toBe(404);
    expect(encoded.json).toMatchObject({ error: { message: 'Requested entity was not found.' } });
    expect(s.stats().byRoute).toEqual({
      'cases.close': 1,
      'cases.search': 1,
      'media.download': 1,
      'cases.get': 1,
    });
  });

  it('answers HEAD like any unknown method (no implicit HEAD routes)', async () => {
    const s = await sim();
    const c = s.createCase({ displayName: 'x', description: 'd' });
    const res = await fetch(`${s.url}/v2/${c.name}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(res.status).toBe(404);
    expect(s.stats().byRoute).toEqual({ unknown: 1 });
  });

  it('checks faults, then availability, then the token, then the route', async () => {
    const s = await sim();
    const bad = `/v2/organizations/%zz/cases/1`;
    expect((await call(s, 'GET', bad, { token: null })).status).toBe(401);
    expect((await call(s, 'GET', '/nowhere', { token: 'wrong' })).status).toBe(401);
    s.setDown(true);
    expect((await call(s, 'GET', bad, { token: null })).status).toBe(503);
    s.faults.add({ status: 429, count: 1, pathContains: '%zz' });
    expect((await call(s, 'GET', bad, { token: null })).status).toBe(429);
    s.setDown(false);
    expect(s.stats()).toEqual({ total: 4, byRoute: { unknown: 4 } });
  });

  it('answers in Google’s envelope, with Google’s headers and nothing else', async () => {
    const s = await sim();
    const c = s.createCase({ displayName: 'x', description: 'd' });
    const res = await fetch(`${s.url}/v2/${c.name}`, {
      headers: { authorization: `Bearer ${s.token}`, 'accept-encoding': 'identity' },
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect([...res.headers.keys()].sort()).toEqual([
      'connection',
      'content-length',
      'content-type',
      'date',
      'keep-alive',
      'vary',
    ]);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(res.headers.get('vary')).toBe('Origin, X-Origin, Referer');
    expect(res.headers.get('keep-alive')).toBe('timeout=5');

    const missing = await call(s, 'GET', '/v2/nothing');
    expect(missing.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(missing.headers.get('vary')).toBe('Origin, X-Origin, Referer');
  });

  it('reads bodies itself: any content type, malformed JSON, wrong types', async () => {
    const s = await sim();
    const c = s.createCase({ displayName: 'x', description: 'd' });
    const badJson = await call(s, 'POST', `/v2/${c.name}/comments`, {
      body: '{"body":',
      contentType: 'application/json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.json).toEqual({
      error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' },
    });
    for (const contentType of ['text/plain', 'nonsense', 'application/x-www-form-urlencoded']) {
      const a = await call(s, 'POST', `/v2/${c.name}/comments`, {
        body: '{"body":"x"}',
        contentType,
      });
      expect([contentType, a.status, a.json]).toEqual([
        contentType,
        400,
        {
          error: {
            code: 400,
            message: 'Request body must be application/json.',
            status: 'INVALID_ARGUMENT',
          },
        },
      ]);
    }
    // an empty body is an empty message, whatever its declared type
    const empty = await call(s, 'POST', `/v2/${c.name}:close`, {
      body: '',
      contentType: 'nonsense',
    });
    expect(empty.status).toBe(200);
    // a media upload takes the declared type as the file's, even one no parser knows
    const up = await call(
      s,
      'POST',
      `/upload/v2/${c.name}/attachments?uploadType=media&attachment.filename=f`,
      { body: 'abc', contentType: 'nonsense' },
    );
    expect(up.json).toMatchObject({ mimeType: 'nonsense', sizeBytes: '3' });
    // a missing case is reported before a malformed body is read (patch)
    const patch = await call(s, 'PATCH', `/v2/${ORG}/cases/1`, {
      body: '{',
      contentType: 'application/json',
    });
    expect(patch.status).toBe(404);
  });

  it('rejects unknown query parameters on every route, system parameters aside', async () => {
    const s = await sim();
    const c = s.createCase({ displayName: 'x', description: 'd' });
    const a = await call(s, 'GET', `/v2/${c.name}?pageSize=3`);
    expect(a.status).toBe(400);
    expect(a.json).toEqual({
      error: {
        code: 400,
        message:
          'Invalid JSON payload received. Unknown name "pageSize": Cannot bind query parameter.',
        status: 'INVALID_ARGUMENT',
      },
    });
    expect((await call(s, 'GET', `/v2/${c.name}?prettyPrint=false&alt=json`)).status).toBe(200);
    expect((await call(s, 'GET', `/v2/${c.name}?a=1&a=2`)).status).toBe(400);
  });

  it('serves the control API with its own 404 and 400 answers, trailing slashes allowed', async () => {
    const s = await sim();
    const ctl = (method: string, path: string, body?: string): Promise<Answer> =>
      call(s, method, `/_control${path}`, { token: null, body });
    for (const [method, path] of [
      ['PUT', '/cases'],
      ['GET', ''],
      ['GET', '/'],
      ['GET', '/nothing'],
      ['GET', '/faults/1'],
    ] as const) {
      const a = await ctl(method, path);
      expect([method, path, a.status, a.json]).toEqual([
        method,
        path,
        404,
        { error: { code: 404, message: 'Unknown control route.', status: 'NOT_FOUND' } },
      ]);
      expect(a.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
    expect((await ctl('GET', '/cases/')).json).toEqual({ cases: [] });
    const bad = await ctl('POST', '/faults', '{');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    const invalid = await ctl('POST', '/faults', '{"status":"x"}');
    expect(invalid.json).toEqual({
      error: { code: 400, message: 'Invalid control request.', status: 'INVALID_ARGUMENT' },
    });
    const refused = await ctl('POST', '/faults', '{}');
    expect(refused.json).toEqual({
      error: {
        code: 400,
        message: 'a fault needs status, latencyMs or drop',
        status: 'INVALID_ARGUMENT',
      },
    });
    expect((await ctl('GET', '/cases/999')).json).toEqual({
      error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
    });
    expect(s.stats()).toEqual({ total: 0, byRoute: {} });
  });

  it('delays on a latency fault, and close() ends delayed requests at once', async () => {
    const s = await startGoogleSimulator({ defaultParent: ORG });
    s.faults.add({ latencyMs: 20, count: 1 });
    expect((await call(s, 'GET', `/v2/${ORG}/cases:search`)).status).toBe(200);
    s.faults.add({ latencyMs: 60_000 });
    const pending = call(s, 'GET', `/v2/${ORG}/cases:search`);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(pending).rejects.toThrow();
  });

  it('answers malformed HTTP like a bare Node server', async () => {
    const s = await sim();
    expect(await raw(s, 'NONSENSE\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
    );
  });
});
