// The push routes through buildApp over real HTTP, with the real signature and OIDC
// checks (a local RSA key stands in for Google's JWKS) and the recording queue: signed
// deliveries enqueue one coalesced sync; unsigned, mis-signed, stale, replayed and
// oversized ones enqueue nothing; no App Engine header is needed; logs carry no secret.
import { Writable } from 'node:stream';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { buildApp } from '../../src/app';
import { createLogger } from '../../src/adapters/log/pino-logger';
import { JiraWebhookSource } from '../../src/adapters/webhooks/jira-webhook';
import { PubSubPushSource } from '../../src/adapters/webhooks/pubsub-push';
import { jiraSignature, zendeskSignature } from '../../src/adapters/webhooks/signatures';
import { ZendeskWebhookSource } from '../../src/adapters/webhooks/zendesk-webhook';
import { SyncError } from '../../src/domain/errors';
import type { PushSource } from '../../src/ports/push-source';
import { SECOND } from '../support/fake-clock';
import { makeDeps } from '../support/task-deps';

const JIRA_SECRET = 'jira-webhook-secret-0123456789';
const ZENDESK_SECRET = 'zendesk-signing-secret-abcdef';
const OWN_ACCOUNT = '5b10ac8d82e05b22cc7d4ef5';
const AUDIENCE = 'https://sync.example.com/webhooks/google';
const PUSH_SA = 'pubsub-push@my-proj.iam.gserviceaccount.com';
const WINDOW = 10 * SECOND;

let rsa: { publicKey: KeyLike; privateKey: KeyLike };
let otherKey: KeyLike;
let keys: ReturnType<typeof createLocalJWKSet>;
beforeAll(async () => {
  rsa = await generateKeyPair('RS256');
  otherKey = (await generateKeyPair('RS256')).privateKey;
  keys = createLocalJWKSet({
    keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
  });
});

const apps: ReturnType<typeof buildApp>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function start(opts: { sources?: (d: ReturnType<typeof makeDeps>) => PushSource[] } = {}) {
  const deps = makeDeps();
  const now = deps.clock.now;
  const sources = opts.sources?.(deps) ?? [
    new JiraWebhookSource({ secret: JIRA_SECRET, ownAccountId: () => OWN_ACCOUNT, now }),
    new ZendeskWebhookSource({ secret: ZENDESK_SECRET, now }),
    new PubSubPushSource({ audience: AUDIENCE, serviceAccountEmail: PUSH_SA, keys, now }),
  ];
  const lines: string[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => (lines.push(...c.toString().split('\n').filter(Boolean)), cb()),
  });
  const { log: _log, ...rest } = deps;
  const app = buildApp({
    ...rest,
    logger: createLogger({ level: 'debug', destination: sink }),
    webhooks: { sources, coalesceWindowMs: WINDOW },
  });
  apps.push(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const post = async (path: string, body: string | Buffer, headers: Record<string, string>) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  };
  return { deps, post, lines };
}

const jiraEvent = (over: Record<string, unknown> = {}, at = Date.now()) =>
  JSON.stringify({
    timestamp: at,
    webhookEvent: 'jira:issue_updated',
    user: { accountId: 'person-1' },
    issue: { id: '10042', key: 'SUP-7', fields: { summary: 'Cloud Run deploys hang' } },
    ...over,
  });

const jiraHeaders = (body: string, id = 'wh-1', secret = JIRA_SECRET) => ({
  'content-type': 'application/json',
  'x-hub-signature': jiraSignature(secret, body),
  'x-atlassian-webhook-identifier': id,
});

describe('POST /webhooks/jira', () => {
  it('a signed event enqueues a sync of its issue, without any App Engine header', async () => {
    const { deps, post } = await start();
    const body = jiraEvent({}, deps.clock.ms);
    const res = await post('/webhooks/jira', body, jiraHeaders(body));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'enqueued',
      edge: 'leading',
      task: 'sync-company-case',
    });
    expect(deps.queue.tasks.map((t) => t.task)).toEqual([
      { kind: 'sync-company-case', caseId: '10042' },
    ]);
  });

  test.each([
    ['unsigned', {}],
    ['signed with another secret', { 'x-hub-signature': jiraSignature('not-the-secret', 'x') }],
    ['mis-signed (another body)', { 'x-hub-signature': jiraSignature(JIRA_SECRET, '{}') }],
    ['a signature without its sha256= prefix', { 'x-hub-signature': 'deadbeef' }],
    ['a sha1 signature', { 'x-hub-signature': `sha1=${'0'.repeat(40)}` }],
  ])('%s: 401, nothing enqueued', async (_name, sig) => {
    const { deps, post, lines } = await start();
    const body = jiraEvent({}, deps.clock.ms);
    const res = await post('/webhooks/jira', body, {
      'content-type': 'application/json',
      'x-atlassian-webhook-identifier': 'wh-forged',
      ...sig,
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized' });
    expect(deps.queue.tasks).toHaveLength(0);
    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refused.some((l) => l.message === 'push refused' && l.source === 'jira')).toBe(true);
  });

  it('a signature over a body changed by one byte is refused', async () => {
    const { deps, post } = await start();
    const body = jiraEvent({}, deps.clock.ms);
    const tampered = body.replace('10042', '10043');
    const res = await post('/webhooks/jira', tampered, jiraHeaders(body));
    expect(res.status).toBe(401);
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('a replayed delivery (same X-Atlassian-Webhook-Identifier) is dropped', async () => {
    const { deps, post } = await start();
    const body = jiraEvent({}, deps.clock.ms);
    expect((await post('/webhooks/jira', body, jiraHeaders(body, 'wh-7'))).body.outcome).toBe(
      'enqueued',
    );
    deps.clock.advance(WINDOW * 3); // a replay in a later window would otherwise enqueue again
    const again = await post('/webhooks/jira', body, jiraHeaders(body, 'wh-7'));
    expect(again).toEqual({ status: 200, body: { outcome: 'duplicate' } });
    expect(deps.queue.tasks).toHaveLength(1);
    expect(deps.queue.duplicates).toHaveLength(0); // dropped before the queue
  });

  it('an event older than an hour (a late retry or a replay) is ignored', async () => {
    const { deps, post } = await start();
    const body = jiraEvent({}, deps.clock.ms - 61 * 60 * SECOND);
    const res = await post('/webhooks/jira', body, jiraHeaders(body));
    expect(res.body).toEqual({ outcome: 'ignored', reason: 'stale' });
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('ignores events caused by the integration user: its issue edits, comments and attachments', async () => {
    const { deps, post } = await start();
    const own = { accountId: OWN_ACCOUNT };
    const bodies = [
      jiraEvent({ user: own }, deps.clock.ms),
      jiraEvent(
        { webhookEvent: 'comment_created', comment: { id: '1', author: own } },
        deps.clock.ms,
      ),
      jiraEvent(
        {
          webhookEvent: 'comment_updated',
          comment: { id: '1', author: { accountId: 'p' }, updateAuthor: own },
        },
        deps.clock.ms,
      ),
    ];
    for (const [i, body] of bodies.entries()) {
      const res = await post('/webhooks/jira', body, jiraHeaders(body, `own-${i}`));
      expect(res.body).toEqual({ outcome: 'ignored', reason: 'own-change' });
    }
    // A person's comment on the same issue is a trigger.
    const person = jiraEvent(
      {
        webhookEvent: 'comment_created',
        user: own,
        comment: { id: '2', author: { accountId: 'p' } },
      },
      deps.clock.ms,
    );
    expect((await post('/webhooks/jira', person, jiraHeaders(person, 'p-1'))).body.outcome).toBe(
      'enqueued',
    );
    expect(deps.queue.tasks).toHaveLength(1);
  });

  it('ignores other events and an attachment event that names no issue', async () => {
    const { deps, post } = await start();
    const deleted = jiraEvent({ webhookEvent: 'jira:issue_deleted' }, deps.clock.ms);
    expect((await post('/webhooks/jira', deleted, jiraHeaders(deleted, 'd'))).body).toEqual({
      outcome: 'ignored',
      reason: 'event-type',
    });
    const attachment = JSON.stringify({
      timestamp: deps.clock.ms,
      webhookEvent: 'attachment_created',
      attachment: { id: '3', author: { accountId: 'p' } },
    });
    expect((await post('/webhooks/jira', attachment, jiraHeaders(attachment, 'a'))).body).toEqual({
      outcome: 'ignored',
      reason: 'no-ticket',
    });
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('a storm of 100 signed events for one issue within a second enqueues two syncs', async () => {
    const { deps, post } = await start();
    const outcomes: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      const body = jiraEvent({ changelog: { id: String(i) } }, deps.clock.ms);
      outcomes.push(
        (await post('/webhooks/jira', body, jiraHeaders(body, `storm-${i}`))).body.edge,
      );
      deps.clock.advance(10);
    }
    expect(outcomes.filter((e) => e === 'leading')).toHaveLength(1);
    expect(outcomes.filter((e) => e === 'trailing')).toHaveLength(1);
    expect(deps.queue.tasks).toHaveLength(2);
    expect(deps.queue.tasks[1]?.notBefore?.getTime()).toBeGreaterThan(
      deps.queue.tasks[0]!.at.getTime(),
    );
  });

  it('an oversized body is refused with 413 and the error envelope, before any check', async () => {
    const { deps, post } = await start();
    const body = jiraEvent({ padding: 'x'.repeat(1024 * 1024) }, deps.clock.ms);
    const res = await post('/webhooks/jira', body, jiraHeaders(body));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'bad-request' });
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('answers 500 (Jira retries) when the queue fails, and a retry of that delivery is not dropped', async () => {
    const { deps, post } = await start();
    deps.queue.failNext(new SyncError('retry', 'queue down', { source: 'test' }));
    const body = jiraEvent({}, deps.clock.ms);
    expect((await post('/webhooks/jira', body, jiraHeaders(body, 'r-1'))).status).toBe(500);
    const retry = await post('/webhooks/jira', body, jiraHeaders(body, 'r-1'));
    expect(retry.body.outcome).toBe('enqueued');
    expect(deps.queue.tasks).toHaveLength(1);
  });

  it('never logs the secret, the signature or the body', async () => {
    const { deps, post, lines } = await start();
    const body = jiraEvent({}, deps.clock.ms);
    await post('/webhooks/jira', body, jiraHeaders(body));
    await post('/webhooks/jira', body, { 'x-hub-signature': jiraSignature('wrong', body) });
    const text = lines.join('\n');
    expect(text).toContain('push enqueued');
    for (const s of [
      JIRA_SECRET,
      jiraSignature(JIRA_SECRET, body).slice(7),
      'Cloud Run deploys hang',
    ])
      expect(text).not.toContain(s);
  });
});

const zendeskHeaders = (body: string, ts: string, id = 'inv-1', secret = ZENDESK_SECRET) => ({
  'content-type': 'application/json',
  'x-zendesk-webhook-signature': zendeskSignature(secret, ts, body),
  'x-zendesk-webhook-signature-timestamp': ts,
  'x-zendesk-webhook-invocation-id': id,
});

describe('POST /webhooks/zendesk', () => {
  const body = JSON.stringify({ ticket_id: '35436', updater_id: '9001' });

  it('a signed, fresh delivery enqueues a sync of its ticket', async () => {
    const { deps, post } = await start();
    const ts = deps.clock.now().toISOString();
    const res = await post('/webhooks/zendesk', body, zendeskHeaders(body, ts));
    expect(res.status).toBe(200);
    expect(deps.queue.tasks.map((t) => t.task)).toEqual([
      { kind: 'sync-company-case', caseId: '35436' },
    ]);
  });

  test.each([
    ['unsigned', (_ts: string) => ({ 'content-type': 'application/json' })],
    [
      'without its timestamp',
      (ts: string) => {
        const h: Record<string, string> = zendeskHeaders(body, ts);
        delete h['x-zendesk-webhook-signature-timestamp'];
        return h;
      },
    ],
    ['signed with another secret', (ts: string) => zendeskHeaders(body, ts, 'i', 'other')],
    [
      'signed over another timestamp',
      (ts: string) => ({
        ...zendeskHeaders(body, ts),
        'x-zendesk-webhook-signature-timestamp': new Date(Date.parse(ts) + 1000).toISOString(),
      }),
    ],
  ])('%s: 401, nothing enqueued', async (_name, headers) => {
    const { deps, post } = await start();
    const res = await post('/webhooks/zendesk', body, headers(deps.clock.now().toISOString()));
    expect(res.status).toBe(401);
    expect(deps.queue.tasks).toHaveLength(0);
  });

  test.each([
    ['older than 5 minutes', -5 * 60 * SECOND - 1000],
    ['more than 5 minutes ahead', 5 * 60 * SECOND + 1000],
  ])('a validly signed timestamp %s is refused (401)', async (_name, offset) => {
    const { deps, post } = await start();
    const ts = new Date(deps.clock.ms + offset).toISOString();
    const res = await post('/webhooks/zendesk', body, zendeskHeaders(body, ts));
    expect(res.status).toBe(401);
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('accepts a timestamp 4 minutes old, and drops a replay of its invocation id', async () => {
    const { deps, post } = await start();
    const ts = new Date(deps.clock.ms - 4 * 60 * SECOND).toISOString();
    expect((await post('/webhooks/zendesk', body, zendeskHeaders(body, ts, 'inv-9'))).status).toBe(
      200,
    );
    deps.clock.advance(30 * SECOND);
    const again = await post('/webhooks/zendesk', body, zendeskHeaders(body, ts, 'inv-9'));
    expect(again.body).toEqual({ outcome: 'duplicate' });
    expect(deps.queue.tasks).toHaveLength(1);
  });

  it('ignores a signed body that names no ticket', async () => {
    const { deps, post } = await start();
    const ts = deps.clock.now().toISOString();
    const odd = JSON.stringify({ ticket: { subject: 'x' } });
    expect((await post('/webhooks/zendesk', odd, zendeskHeaders(odd, ts))).body).toEqual({
      outcome: 'ignored',
      reason: 'no-ticket',
    });
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('an oversized body is refused with 413', async () => {
    const { deps, post } = await start();
    const big = JSON.stringify({ ticket_id: '1', pad: 'x'.repeat(70 * 1024) });
    const res = await post(
      '/webhooks/zendesk',
      big,
      zendeskHeaders(big, deps.clock.now().toISOString()),
    );
    expect(res.status).toBe(413);
    expect(deps.queue.tasks).toHaveLength(0);
  });
});

describe('POST /webhooks/google (Pub/Sub push)', () => {
  const CASE = 'organizations/1/cases/42';
  const push = (attributes: Record<string, string> = { caseName: CASE }, data = '') =>
    JSON.stringify({
      message: { attributes, data, messageId: '1001', publishTime: '2026-03-02T10:00:00Z' },
      subscription: 'projects/my-proj/subscriptions/case-events-push',
    });
  const token = async (
    over: {
      aud?: string;
      email?: string;
      verified?: boolean;
      iss?: string;
      exp?: number;
      key?: KeyLike;
    } = {},
    nowMs: number,
  ) =>
    new SignJWT({ email: over.email ?? PUSH_SA, email_verified: over.verified ?? true })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(over.iss ?? 'https://accounts.google.com')
      .setAudience(over.aud ?? AUDIENCE)
      .setSubject('1234567890')
      .setIssuedAt(Math.floor(nowMs / 1000))
      .setExpirationTime(over.exp ?? Math.floor(nowMs / 1000) + 3600)
      .sign(over.key ?? rsa.privateKey);
  const headers = (jwt: string) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${jwt}`,
  });

  it('a push with a valid OIDC token enqueues a sync of the case its attributes name', async () => {
    const { deps, post } = await start();
    const res = await post('/webhooks/google', push(), headers(await token({}, deps.clock.ms)));
    expect(res.status).toBe(200);
    expect(deps.queue.tasks.map((t) => t.task)).toEqual([
      { kind: 'sync-google-case', caseName: CASE },
    ]);
  });

  it('takes the case name from the data when the attributes have none', async () => {
    const { deps, post } = await start();
    const data = Buffer.from(JSON.stringify({ case: { name: CASE } })).toString('base64');
    const res = await post(
      '/webhooks/google',
      push({}, data),
      headers(await token({}, deps.clock.ms)),
    );
    expect(res.body.outcome).toBe('enqueued');
    expect(deps.queue.tasks[0]?.task).toEqual({ kind: 'sync-google-case', caseName: CASE });
  });

  it('ignores (200, so Pub/Sub does not redeliver) a message that names no case', async () => {
    const { deps, post, lines } = await start();
    const data = Buffer.from('{"something":"else"}').toString('base64');
    const res = await post(
      '/webhooks/google',
      push({ kind: 'x' }, data),
      headers(await token({}, deps.clock.ms)),
    );
    expect(res).toEqual({ status: 200, body: { outcome: 'ignored', reason: 'no-case-name' } });
    expect(deps.queue.tasks).toHaveLength(0);
    expect(lines.join('\n')).toContain('push ignored');
  });

  test.each([
    ['no token', async () => ''],
    ['another audience', (ms: number) => token({ aud: 'https://elsewhere.example.com' }, ms)],
    [
      'another service account',
      (ms: number) => token({ email: 'intruder@evil.iam.gserviceaccount.com' }, ms),
    ],
    ['an unverified email', (ms: number) => token({ verified: false }, ms)],
    ['another issuer', (ms: number) => token({ iss: 'https://evil.example.com' }, ms)],
    ['an expired token', (ms: number) => token({ exp: Math.floor(ms / 1000) - 600 }, ms)],
    ['a token signed by another key', async (ms: number) => token({ key: otherKey }, ms)],
  ])('%s: 401, nothing enqueued', async (_name, make) => {
    const { deps, post } = await start();
    const jwt = await make(deps.clock.ms);
    const res = await post(
      '/webhooks/google',
      push(),
      jwt ? headers(jwt) : { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(401);
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('drops a redelivery of one message id', async () => {
    const { deps, post } = await start();
    const jwt = await token({}, deps.clock.ms);
    await post('/webhooks/google', push(), headers(jwt));
    expect((await post('/webhooks/google', push(), headers(jwt))).body).toEqual({
      outcome: 'duplicate',
    });
    expect(deps.queue.tasks).toHaveLength(1);
  });
});

describe('webhook routes', () => {
  it('answer 503 (the sender retries) rather than wait on a queue that does not answer in time', async () => {
    const deps = makeDeps();
    const { log: _log, ...rest } = deps;
    const app = buildApp({
      ...rest,
      queue: { enqueue: () => new Promise<never>(() => undefined) }, // never answers
      logger: createLogger({ level: 'silent' }),
      webhooks: {
        sources: [
          new JiraWebhookSource({
            secret: JIRA_SECRET,
            ownAccountId: () => null,
            now: deps.clock.now,
          }),
        ],
        coalesceWindowMs: WINDOW,
        answerWithinMs: 50,
      },
    });
    apps.push(app);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const body = jiraEvent({}, deps.clock.ms);
    const res = await fetch(`${url}/webhooks/jira`, {
      method: 'POST',
      headers: jiraHeaders(body),
      body,
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ outcome: 'retry', reason: 'queue-slow' });
  });

  it('exist only for the sources configured', async () => {
    const { post } = await start({ sources: () => [] });
    expect(
      (await post('/webhooks/jira', '{}', { 'content-type': 'application/json' })).status,
    ).toBe(404);
  });
});
