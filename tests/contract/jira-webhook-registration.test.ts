// `npm run doctor -- --register-webhooks=URL` over real HTTP against a stand-in for Jira's
// admin webhook REST API (/rest/webhooks/1.0/webhook: GET lists, POST creates, PUT
// replaces; basic auth of an administrator). That API is not in the platform OpenAPI (nor
// in the Jira simulator, which serves only the OpenAPI's endpoints): the stand-in follows
// Atlassian's webhook guide.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runDoctor } from '../../src/doctor';

const ADMIN = { email: 'admin@example.com', token: 'admin-api-token-value' };
const SECRET = 'jira-webhook-secret-0123456789';

interface Stored {
  id: number;
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
let webhooks: Stored[];
let requests: Array<{ method: string; url: string }>;

beforeEach(async () => {
  webhooks = [];
  requests = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const auth = `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.token}`).toString('base64')}`;
      if (req.headers.authorization !== auth) return send(401, { errorMessages: ['Unauthorized'] });
      const view = (w: Stored) => ({
        self: `${base}/rest/webhooks/1.0/webhook/${w.id}`,
        ...w.body,
        enabled: true,
      });
      const m = /^\/rest\/webhooks\/1\.0\/webhook(?:\/(\d+))?$/.exec(req.url ?? '');
      if (!m) return send(404, {});
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
      if (req.method === 'GET' && !m[1]) return send(200, webhooks.map(view));
      if (req.method === 'POST' && !m[1]) {
        const w = { id: 100 + webhooks.length, body };
        webhooks.push(w);
        return send(201, view(w));
      }
      const w = webhooks.find((x) => String(x.id) === m[1]);
      if (req.method === 'PUT' && w) {
        w.body = body;
        return send(200, view(w));
      }
      return send(404, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const env = (over: Record<string, string> = {}) => ({
  SUPPORT_PARENT: 'organizations/1',
  JIRA_BASE_URL: base,
  JIRA_EMAIL: ADMIN.email,
  JIRA_API_TOKEN: ADMIN.token,
  JIRA_PROJECT_KEY: 'SUP',
  JIRA_WEBHOOK_SECRET: SECRET,
  STORE: 'memory',
  ...over,
});
const URL_ = 'https://sync.example.com/webhooks/jira';

describe('npm run doctor -- --register-webhooks', () => {
  it('creates the admin webhook: the sync JQL as its filter, the five events, the secret', async () => {
    const r = await runDoctor(env({ JIRA_SYNC_JQL: 'project = SUP AND labels = gcs' }), {
      registerWebhooks: URL_,
    });
    expect(r.exitCode).toBe(0);
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]?.body).toEqual({
      name: 'Google Cloud Support sync',
      url: URL_,
      events: [
        'jira:issue_created',
        'jira:issue_updated',
        'comment_created',
        'comment_updated',
        'attachment_created',
      ],
      filters: { 'issue-related-events-section': 'project = SUP AND labels = gcs' },
      excludeBody: false,
      secret: SECRET,
    });
    expect(r.output).toContain('created admin webhook 100');
    expect(r.output).not.toContain(SECRET);
  });

  it('run again, it updates the webhook registered for that URL instead of adding one', async () => {
    await runDoctor(env(), { registerWebhooks: URL_ });
    const r = await runDoctor(env({ JIRA_SYNC_JQL: 'labels = other' }), { registerWebhooks: URL_ });
    expect(r.exitCode).toBe(0);
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]?.body.filters).toEqual({ 'issue-related-events-section': 'labels = other' });
    expect(requests.map((q) => q.method)).toEqual(['GET', 'POST', 'GET', 'PUT']);
    expect(r.output).toContain('updated admin webhook 100');
  });

  it('says what to do when the account is not an administrator, and writes nothing', async () => {
    const r = await runDoctor(env({ JIRA_API_TOKEN: 'not-an-admin-token' }), {
      registerWebhooks: URL_,
    });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('not a Jira administrator');
    expect(r.output).not.toContain('not-an-admin-token');
    expect(webhooks).toHaveLength(0);
  });

  it('refuses without a webhook secret or with a URL that is not the connector’s route', async () => {
    const noSecret = await runDoctor(env({ JIRA_WEBHOOK_SECRET: '' }), { registerWebhooks: URL_ });
    expect(noSecret.exitCode).toBe(1);
    expect(noSecret.output).toContain(
      'JIRA_WEBHOOK_SECRET (or JIRA_WEBHOOK_SECRET_SECRET) is not set',
    );
    const wrong = await runDoctor(env(), { registerWebhooks: 'https://sync.example.com/tasks/x' });
    expect(wrong.output).toContain('end the URL with /webhooks/jira');
    expect(requests).toHaveLength(0);
  });
});
