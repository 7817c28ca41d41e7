// The status page through buildApp with fakes: 401 without a proven user (real IAP check,
// local JWKS), the page with 0, 1 and 10,000 pairs (paged: a bounded number of store
// reads), escaping, filters, and the actions behind their confirm page (same-origin only).
import { Writable } from 'node:stream';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildApp } from '../../src/app';
import { createLogger } from '../../src/adapters/log/pino-logger';
import {
  IAP_HEADER,
  IAP_ISSUER,
  IapAdminIdentity,
} from '../../src/adapters/iap/iap-admin-identity';
import type { NewCaseMapping } from '../../src/domain/mapping';
import type { AdminIdentity } from '../../src/ports/admin-identity';
import { makeDeps, type TestDeps } from '../support/task-deps';
import { newMapping } from '../contract/mapping-store.contract';

const USER = { 'x-test-user': 'ops@example.com' };
const testIdentity: AdminIdentity = {
  iap: true,
  identify: async (h) =>
    typeof h['x-test-user'] === 'string' ? { email: h['x-test-user'] } : null,
};
const links = {
  googleCase: (n: string) => `https://console.example/${n}`,
  crmTicket: (k: string) => `https://jira.example/browse/${k}`,
};
const apps: ReturnType<typeof buildApp>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function start(deps: TestDeps = makeDeps(), identity: AdminIdentity = testIdentity) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => {
      for (const l of c.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const { log: _log, ...rest } = deps;
  const app = buildApp({
    ...rest,
    logger: createLogger({ level: 'info', destination: sink }),
    admin: { identity, links },
  });
  apps.push(app);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const get = async (path: string, headers: Record<string, string> = USER) => {
    const res = await fetch(base + path, { headers, redirect: 'manual' });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const post = async (
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: {
        ...USER,
        origin: base,
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  };
  return { deps, get, post, lines, base };
}

/** A stored pair (the contract suite's builder), priority P1. */
const pair = (over: Partial<NewCaseMapping> = {}): NewCaseMapping =>
  newMapping({ priority: 1, ...over });

const rows = (text: string) => (text.match(/<tr id="pair-/g) ?? []).length;

describe('status page', () => {
  it('answers 401 and shows nothing without a valid IAP assertion', async () => {
    const key = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(key.publicKey)), kid: 'k', alg: 'ES256' }] };
    const audience = '/projects/42/apps/p';
    const identity = new IapAdminIdentity({ audience, keys: createLocalJWKSet(jwks) });
    const { get, post, deps } = await start(makeDeps(), identity);
    const m = await deps.store.insert(pair());
    for (const path of ['/admin/', '/admin/confirm?action=pause&id=' + m.id]) {
      const res = await get(path, {});
      expect(res.status).toBe(401);
      expect(res.text).toBe('unauthorized');
    }
    expect(
      (await post('/admin/actions', { action: 'pause', id: m.id }, { 'x-test-user': '' })).status,
    ).toBe(401);
    expect((await deps.store.get(m.id))?.pausedAt).toBeNull();
    const sign = (aud: string) =>
      new SignJWT({ email: 'accounts.google.com:ops@example.com' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .setSubject('accounts.google.com:1')
        .setIssuer(IAP_ISSUER)
        .setAudience(aud)
        .setExpirationTime('5m')
        .sign(key.privateKey);
    expect(
      (await get('/admin/', { [IAP_HEADER]: await sign('/projects/1/apps/other') })).status,
    ).toBe(401);
    const ok = await get('/admin/', { [IAP_HEADER]: await sign(audience) });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Signed in as ops@example.com (Identity-Aware Proxy)');
    expect(ok.text).not.toContain('no IAP');
    expect(rows(ok.text)).toBe(1);
  });

  it('with no pairs says so', async () => {
    const { get } = await start();
    const res = await get('/admin/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('No pairs yet.');
    expect(res.text).toContain('name="viewport"');
  });

  it('with one pair shows its case, ticket, priority, syncs, outage and last error', async () => {
    const { get, deps } = await start();
    const m = await deps.store.insert(
      pair({
        outageDetectedAt: new Date('2026-03-01T11:00:00Z'),
        lastError: 'SyncError/retry',
        lastErrorAt: new Date('2026-03-01T11:05:00Z'),
      }),
    );
    const res = await get('/admin/');
    expect(rows(res.text)).toBe(1);
    expect(res.text).toContain(`href="https://console.example/${m.googleCaseName}"`);
    expect(res.text).toContain('href="https://jira.example/browse/SUP-');
    expect(res.text).toContain('>P1<');
    expect(res.text).toContain('outage since 2026-03-01 11:00:00Z');
    expect(res.text).toContain('SyncError/retry');
    for (const f of ['failing', 'outage'])
      expect(rows((await get(`/admin/?filter=${f}`)).text)).toBe(1);
    expect(rows((await get('/admin/?filter=closed')).text)).toBe(0);
  });

  it('escapes what comes from upstream (no script injection)', async () => {
    const { get, deps } = await start();
    await deps.store.insert(
      pair({
        googleCaseName: 'organizations/1/cases/"><script>alert(1)</script>',
        companyCaseKey: '<img src=x onerror=alert(2)>',
      }),
    );
    const res = await get('/admin/');
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain('<img');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('renders page 1 of 10,000 pairs from one page read, and pages on', async () => {
    const deps = makeDeps();
    for (let i = 0; i < 10_000; i += 1) await deps.memory.insert(pair());
    const { get } = await start(deps);
    deps.storeProbe.reset();
    const first = await get('/admin/');
    expect(rows(first.text)).toBe(50);
    // One listPairs page, the Global (poll times) and the recent runs: never a scan.
    expect(deps.storeProbe.calls.map((c) => c.method).sort()).toEqual([
      'getGlobal',
      'listPairs',
      'listTaskRuns',
    ]);
    const next = /<a\s+rel="next"\s+href="([^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeDefined();
    const second = await get(next as string);
    expect(rows(second.text)).toBe(50);
    expect(second.text).toContain('First page');
    expect(deps.storeProbe.count('listPairs')).toBe(2);
  });

  it('pauses and resumes a pair behind a confirm page, logged with the email', async () => {
    const { get, post, deps, lines } = await start();
    const m = await deps.store.insert(pair());
    const confirm = await get(`/admin/confirm?action=pause&id=${m.id}`);
    expect(confirm.text).toContain('<form method="post" action="/admin/actions">');
    expect((await deps.store.get(m.id))?.pausedAt).toBeNull();
    const done = await post('/admin/actions', { action: 'pause', id: m.id });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/admin/?done=pause#pair-${m.id}`);
    expect((await deps.store.get(m.id))?.pausedAt).toEqual(deps.clock.now());
    expect((await get('/admin/?done=pause')).text).toMatch(
      /The pair is paused[\s\S]*class="paused">paused/,
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        action: 'pause',
        user: 'ops@example.com',
        mappingId: m.id,
        message: 'admin action',
        severity: 'INFO',
      }),
    );

    await post('/admin/actions', { action: 'resume', id: m.id });
    expect((await deps.store.get(m.id))?.pausedAt).toBeNull();
    expect(deps.queue.tasks.map((t) => t.task.kind).sort()).toEqual([
      'sync-company-case',
      'sync-google-case',
    ]);
  });

  it('"sync now" enqueues both sync tasks', async () => {
    const { post, deps } = await start();
    const m = await deps.store.insert(pair());
    expect((await post('/admin/actions', { action: 'sync-now', id: m.id })).status).toBe(303);
    expect(deps.queue.tasks.map((t) => t.task)).toEqual([
      { kind: 'sync-google-case', caseName: m.googleCaseName },
      { kind: 'sync-company-case', caseId: m.companyCaseID },
    ]);
  });

  it('refuses an action posted from another origin (CSRF)', async () => {
    const { post, deps } = await start();
    const m = await deps.store.insert(pair());
    const res = await post(
      '/admin/actions',
      { action: 'pause', id: m.id },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect((await deps.store.get(m.id))?.pausedAt).toBeNull();
    expect((await post('/admin/actions', { action: 'explode', id: m.id })).status).toBe(400);
  });

  it('shows the red "no IAP" banner when served without IAP', async () => {
    const { get } = await start(makeDeps(), {
      iap: false,
      identify: async () => ({ email: 'me@localhost' }),
    });
    const res = await get('/admin/', {});
    expect(res.text).toContain('class="banner"');
    expect(res.text).toContain('no IAP');
  });
});
