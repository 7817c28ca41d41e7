// The Zendesk simulator's webhooks and triggers over real HTTP: the webhook API checked
// against Zendesk's webhooks OpenAPI (specs/zendesk-webhooks.openapi.yaml, whose paths are
// relative to /api/v2), the trigger API against the support OpenAPI (amended as the spec
// tests amend it), and the notifications a trigger sends, verified with the connector's own
// ZendeskWebhookSource (SPEC §6.1 signature, invocation id).
import * as fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ZendeskWebhookSource } from '../../src/adapters/webhooks/zendesk-webhook';
import type { Exchange } from '../../src/sandbox/exchange';
import { startZendeskSimulator, type ZendeskSimulator } from '../../src/sandbox/zendesk';
import { checkExchange, preloadSpec } from '../support/openapi-check';
import {
  amendedZendeskSpec,
  zendeskProblemsOf,
  zendeskSpecAvailable,
} from '../support/zendesk-openapi';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TAG = 'synchronizewithgooglecloudsupport';
const specDir = path.resolve(__dirname, '../..', '..', 'shared', 'specs');
const WEBHOOKS_SPEC = path.join(
  process.env['API_SPECS_DIR'] || specDir,
  'zendesk-webhooks.openapi.yaml',
);
const specsThere = zendeskSpecAvailable && fs.existsSync(WEBHOOKS_SPEC);
if (!specsThere)
  console.log('zendesk-sim-webhooks.test: API specs not found; OpenAPI checks skipped');

/** The webhooks spec with its paths under /api/v2 (its server URL), as JSON for the validator. */
function webhooksSpecUnderApiV2(): string {
  const doc = parse(fs.readFileSync(WEBHOOKS_SPEC, 'utf8')) as Json;
  doc['paths'] = Object.fromEntries(
    Object.entries(doc['paths'] as Json).map(([p, v]) => [`/api/v2${p}`, v]),
  );
  doc['servers'] = [{ url: 'https://support.zendesk.com' }];
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zd-webhooks-')), 'webhooks.json');
  fs.writeFileSync(out, JSON.stringify(doc));
  return out;
}

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: Json;
}

let zd: ZendeskSimulator;
let exchanges: Exchange[];
let receiver: Server;
let endpoint: string;
let received: Received[];
let answers: Array<{ status: number; retryAfter?: string }>;

beforeEach(async () => {
  exchanges = [];
  received = [];
  answers = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')) as Json });
      const a = answers.shift() ?? { status: 200 };
      res.writeHead(a.status, a.retryAfter ? { 'retry-after': a.retryAfter } : {}).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/zendesk`;
  zd = await startZendeskSimulator({
    webhookRetryDelayMs: 20,
    onExchange: (ex) => exchanges.push(ex),
  });
});

afterEach(async () => {
  await zd.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const basic = () => `Basic ${Buffer.from(`${zd.email}/token:${zd.apiToken}`).toString('base64')}`;
const call = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${zd.url}${p}`, {
    method,
    headers: {
      authorization: basic(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Json };
};

/** The README's set-up: a webhook for triggers, and the trigger on tagged tickets. */
async function setUp(extraAll: Json[] = []): Promise<{ id: string; secret: string }> {
  const created = await call('POST', '/api/v2/webhooks', {
    webhook: {
      name: 'Google Cloud Support sync',
      status: 'active',
      endpoint,
      http_method: 'POST',
      request_format: 'json',
      subscriptions: ['conditional_ticket_events'],
    },
  });
  expect(created.status).toBe(201);
  const id = created.json.webhook.id as string;
  const secret = (await call('GET', `/api/v2/webhooks/${id}/signing_secret`)).json.signing_secret
    .secret as string;
  const trig = await call('POST', '/api/v2/triggers', {
    trigger: {
      title: 'Google Cloud Support sync: push',
      conditions: {
        all: [{ field: 'current_tags', operator: 'includes', value: TAG }, ...extraAll],
        any: [
          { field: 'update_type', operator: 'is', value: 'Create' },
          { field: 'update_type', operator: 'is', value: 'Change' },
        ],
      },
      actions: [
        {
          field: 'notification_webhook',
          value: [id, '{"ticket_id": "{{ticket.id}}", "updater_id": "{{current_user.id}}"}'],
        },
      ],
    },
  });
  expect(trig.status).toBe(201);
  return { id, secret };
}

describe('Zendesk simulator: webhooks API', () => {
  it('creates, lists, shows, updates, patches and deletes webhooks; shows and resets the signing secret; per the webhooks OpenAPI', async () => {
    const { id, secret } = await setUp();
    expect(secret.length).toBeGreaterThan(20);
    const listed = await call('GET', '/api/v2/webhooks?filter[status]=active');
    expect(listed.json.webhooks.map((w: Json) => w.id)).toEqual([id]);
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    expect(
      (await call('GET', '/api/v2/webhooks?filter[name_contains]=nope')).json.webhooks,
    ).toEqual([]);
    const put = await call('PUT', `/api/v2/webhooks/${id}`, {
      webhook: {
        name: 'renamed',
        endpoint,
        http_method: 'POST',
        request_format: 'json',
        status: 'active',
        subscriptions: ['conditional_ticket_events'],
      },
    });
    expect(put.status).toBe(204);
    expect(
      (await call('PATCH', `/api/v2/webhooks/${id}`, { webhook: { status: 'inactive' } })).status,
    ).toBe(204);
    expect((await call('GET', `/api/v2/webhooks/${id}`)).json.webhook).toMatchObject({
      name: 'renamed',
      status: 'inactive',
    });
    const reset = await call('POST', `/api/v2/webhooks/${id}/signing_secret`);
    expect(reset.status).toBe(201);
    expect(reset.json.signing_secret.secret).not.toBe(secret);
    expect((await call('POST', '/api/v2/webhooks', { webhook: { name: 'x' } })).status).toBe(400);
    expect((await call('DELETE', `/api/v2/webhooks/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/v2/webhooks/${id}`)).status).toBe(404);
    const unauth = await fetch(`${zd.url}/api/v2/webhooks`);
    expect(unauth.status).toBe(401);

    if (specsThere) {
      const spec = webhooksSpecUnderApiV2();
      preloadSpec(spec);
      // Every exchange but the deliberately incomplete create (400) and the unauthenticated one.
      const mine = exchanges.filter(
        (e) => e.path.startsWith('/api/v2/webhooks') && e.status !== 401 && e.status !== 400,
      );
      expect(mine.length).toBeGreaterThan(8);
      expect(
        mine.flatMap((e) => checkExchange(spec, e).map((p) => `${e.method} ${e.path}: ${p}`)),
      ).toEqual([]);
      const support = amendedZendeskSpec();
      preloadSpec(support);
      const triggers = exchanges.filter((e) => e.path.startsWith('/api/v2/triggers'));
      expect(triggers).toHaveLength(1);
      expect(zendeskProblemsOf(support, triggers)).toEqual([]);
    }
  });

  it('triggers: list, show, update, delete; a condition or action the simulator does not model is refused, saying so', async () => {
    const { id } = await setUp();
    const list = await call('GET', '/api/v2/triggers');
    expect(list.json.count).toBe(1);
    const tid = list.json.triggers[0].id as number;
    expect((await call('GET', `/api/v2/triggers/${tid}`)).json.trigger.title).toContain('push');
    const t0 = list.json.triggers[0] as Json;
    const off = await call('PUT', `/api/v2/triggers/${tid}`, {
      trigger: { title: t0.title, conditions: t0.conditions, actions: t0.actions, active: false },
    });
    expect(off.json.trigger.active).toBe(false);
    const unmodelled = await call('POST', '/api/v2/triggers', {
      trigger: {
        title: 'x',
        conditions: { all: [{ field: 'via_id', operator: 'is', value: '4' }] },
        actions: [{ field: 'notification_webhook', value: [id, '{}'] }],
      },
    });
    expect(unmodelled.status).toBe(422);
    expect(JSON.stringify(unmodelled.json)).toContain('not modelled');
    const action = await call('POST', '/api/v2/triggers', {
      trigger: {
        title: 'x',
        conditions: { all: [] },
        actions: [{ field: 'status', value: 'solved' }],
      },
    });
    expect(JSON.stringify(action.json)).toContain('only notification_webhook');
    expect((await call('DELETE', `/api/v2/triggers/${tid}`)).status).toBe(204);
    expect((await call('GET', `/api/v2/triggers/${tid}`)).status).toBe(404);
    if (specsThere) {
      const support = amendedZendeskSpec();
      preloadSpec(support);
      const ok = exchanges.filter((e) => e.path.startsWith('/api/v2/triggers') && e.status < 300);
      expect(zendeskProblemsOf(support, ok)).toEqual([]);
    }
  });
});

describe('Zendesk simulator: trigger notifications', () => {
  it('a tagged ticket created or updated notifies the webhook once per update, signed per SPEC §6.1; untagged tickets do not', async () => {
    const { secret } = await setUp();
    const source = new ZendeskWebhookSource({ secret });
    const t = zd.createTicket({ subject: 'Synced', description: 'Hi', tags: [TAG] });
    zd.createTicket({ subject: 'Not synced', description: 'Hi' });
    await zd.webhooksIdle();
    expect(received).toHaveLength(1);
    expect(received[0]?.json).toEqual({ ticket_id: String(t.id), updater_id: expect.any(String) });

    received.length = 0;
    zd.addComment(t.id, { body: 'A comment.', authorName: 'Sam' });
    await zd.webhooksIdle();
    // One update through the API (comment + status in one request) is one notification.
    const api = await call('PUT', `/api/v2/tickets/${t.id}`, {
      ticket: { status: 'pending', comment: { body: 'From Google.', public: false } },
    });
    expect(api.status).toBe(200);
    await zd.webhooksIdle();
    expect(received).toHaveLength(2);
    expect(received[1]?.json.updater_id).toBe(String(zd.apiUser.id));
    const ids = new Set(received.map((r) => r.headers['x-zendesk-webhook-invocation-id']));
    expect(ids.size).toBe(2);
    for (const r of received) {
      const d = { headers: r.headers as Record<string, string>, rawBody: r.raw };
      expect(await source.authenticate(d)).toEqual({ ok: true });
      expect(await source.read(d)).toMatchObject({
        kind: 'sync',
        trigger: { side: 'company', caseId: String(t.id) },
      });
    }
    // The connector, knowing its own user id, ignores the update it made.
    const own = new ZendeskWebhookSource({ secret, ownUserId: () => String(zd.apiUser.id) });
    const d1 = {
      headers: received[1]?.headers as Record<string, string>,
      rawBody: received[1]?.raw as Buffer,
    };
    expect(await own.read(d1)).toMatchObject({ kind: 'ignore', reason: 'own-change' });
  });

  it('"current user is not" the connector: its own updates notify nothing', async () => {
    await setUp([{ field: 'current_user', operator: 'is_not', value: String(0) }]);
    const t = zd.createTicket({ subject: 'Synced', description: 'Hi', tags: [TAG] });
    await zd.webhooksIdle();
    expect(received).toHaveLength(1);
    received.length = 0;
    // Replace the trigger with one that excludes the API user.
    const list = await call('GET', '/api/v2/triggers');
    const trig = list.json.triggers[0] as Json;
    const all = [
      { field: 'current_tags', operator: 'includes', value: TAG },
      { field: 'current_user', operator: 'is_not', value: String(zd.apiUser.id) },
    ];
    await call('PUT', `/api/v2/triggers/${trig.id}`, {
      trigger: {
        title: trig.title,
        conditions: { all, any: trig.conditions.any },
        actions: trig.actions,
      },
    });
    await call('PUT', `/api/v2/tickets/${t.id}`, { ticket: { priority: 'high' } });
    zd.setPriority(t.id, 'low');
    await zd.webhooksIdle();
    expect(received).toHaveLength(1); // the person's change only
  });

  it('retries a 409 and a 503 with a short Retry-After, not a 500; each attempt signed anew', async () => {
    const { secret } = await setUp();
    const source = new ZendeskWebhookSource({ secret });
    answers = [{ status: 409 }, { status: 503, retryAfter: '0' }];
    zd.createTicket({ subject: 'Synced', description: 'Hi', tags: [TAG] });
    await zd.webhooksIdle();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['x-zendesk-webhook-invocation-id'])).size).toBe(1);
    for (const r of received)
      expect(
        await source.authenticate({ headers: r.headers as Record<string, string>, rawBody: r.raw }),
      ).toEqual({ ok: true });
    expect(zd.webhookDeliveries().at(-1)?.state).toBe('delivered');

    received.length = 0;
    answers = [{ status: 500 }];
    zd.setTags(zd.listTickets()[0]?.id as number, [TAG, 'other']);
    await zd.webhooksIdle();
    expect(received).toHaveLength(1);
    expect(zd.webhookDeliveries().at(-1)?.state).toBe('failed');
  });
});
