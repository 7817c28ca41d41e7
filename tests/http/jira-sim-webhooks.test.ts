// The Jira simulator's admin webhooks over real HTTP: the registration API
// (/rest/webhooks/1.0/webhook) and the deliveries it makes to a receiver, checked with the
// connector's own verifier (JiraWebhookSource), and Jira's retry policy.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JiraWebhookSource } from '../../src/adapters/webhooks/jira-webhook';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';

const SECRET = 'jira-sim-webhook-secret-0123';
const LABEL = 'synchronizeWithGoogleCloudSupport';

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let jira: JiraSimulator;
let receiver: Server;
let receiverUrl: string;
let received: Received[];
/** Status codes the receiver answers, in order (then 200). */
let answers: number[];

beforeEach(async () => {
  received = [];
  answers = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        headers: req.headers,
        raw,
        json: raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {},
      });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/jira`;
  jira = await startJiraSimulator({ webhookRetryDelaysMs: [20, 40] });
});

afterEach(async () => {
  await jira.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const auth = () => `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}`;
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${jira.url}/rest/webhooks/1.0/webhook${path}`, {
    method,
    headers: {
      authorization: auth(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const register = (over: Record<string, unknown> = {}) =>
  api('POST', '', {
    name: 'sync',
    url: receiverUrl,
    events: ['jira:issue_created', 'jira:issue_updated', 'comment_created', 'attachment_created'],
    filters: { 'issue-related-events-section': `project = SUP AND labels = ${LABEL}` },
    excludeBody: false,
    secret: SECRET,
    ...over,
  });

describe('Jira simulator: admin webhook API', () => {
  it('registers, lists (never the secret), shows, replaces and deletes', async () => {
    const created = await register();
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      self: `${jira.url}/rest/webhooks/1.0/webhook/1`,
      name: 'sync',
      url: receiverUrl,
      enabled: true,
      filters: { 'issue-related-events-section': `project = SUP AND labels = ${LABEL}` },
    });
    expect(JSON.stringify(created.json)).not.toContain(SECRET);
    const listed = await api('GET', '');
    expect(listed.json).toHaveLength(1);
    expect(JSON.stringify(listed.json)).not.toContain(SECRET);
    expect(jira.webhooks()[0]?.secret).toBe(SECRET);

    const replaced = await api('PUT', '/1', {
      name: 'renamed',
      url: receiverUrl,
      events: ['comment_created'],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ name: 'renamed', events: ['comment_created'] });
    expect((await api('GET', '/1')).json.name).toBe('renamed');
    expect((await api('DELETE', '/1')).status).toBe(204);
    expect((await api('GET', '/1')).status).toBe(404);
    expect((await api('PUT', '/1', { name: 'x', url: receiverUrl, events: [] })).status).toBe(404);
    expect((await api('GET', '')).json).toEqual([]);
  });

  it('refuses a bad JQL filter, unknown events, a bad URL; and a non-administrator', async () => {
    const badJql = await register({ filters: { 'issue-related-events-section': 'labels ~~ x' } });
    expect(badJql.status).toBe(400);
    expect(JSON.stringify(badJql.json)).toContain('Invalid JQL filter');
    expect((await register({ events: ['issue_exploded'] })).status).toBe(400);
    expect((await register({ url: 'ftp://example.com/x' })).status).toBe(400);
    expect(jira.webhooks()).toHaveLength(0);

    const unauth = await fetch(`${jira.url}/rest/webhooks/1.0/webhook`, {
      headers: { authorization: 'Basic eDp5' },
    });
    expect(unauth.status).toBe(401);
    const notAdmin = await startJiraSimulator({ apiUserIsAdmin: false });
    try {
      const res = await fetch(`${notAdmin.url}/rest/webhooks/1.0/webhook`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${notAdmin.email}:${notAdmin.apiToken}`).toString('base64')}`,
        },
      });
      expect(res.status).toBe(403);
    } finally {
      await notAdmin.close();
    }
  });
});

describe('Jira simulator: webhook deliveries', () => {
  const source = (own: string | null = null) =>
    new JiraWebhookSource({ secret: SECRET, ownAccountId: () => own });

  it('a person’s comment on a matching issue: comment_created and jira:issue_updated, signed, verified by the connector', async () => {
    await register();
    const issue = jira.createIssue({ summary: 'Synced', labels: [LABEL] });
    const other = jira.createIssue({ summary: 'Not synced' });
    await jira.webhooksIdle();
    expect(received.map((r) => r.json.webhookEvent)).toEqual(['jira:issue_created']);
    expect(received[0]?.json.issue).toMatchObject({ id: issue.id, key: issue.key });
    received.length = 0;

    jira.addComment(issue.key, { body: 'Logs attached.', displayName: 'Sam' });
    jira.addComment(other.key, { body: 'Not for the webhook.', displayName: 'Sam' });
    await jira.webhooksIdle();
    expect(received.map((r) => r.json.webhookEvent).sort()).toEqual([
      'comment_created',
      'jira:issue_updated',
    ]);
    const ids = new Set(received.map((r) => r.headers['x-atlassian-webhook-identifier']));
    expect(ids.size).toBe(2);
    for (const r of received) {
      expect(r.json.issue).toMatchObject({ id: issue.id, key: issue.key });
      expect(r.json.issue.fields.labels).toEqual([LABEL]);
      expect(r.json.comment.author.displayName).toBe('Sam');
      expect(typeof r.json.timestamp).toBe('number');
      const delivery = { headers: r.headers as Record<string, string>, rawBody: r.raw };
      expect(await source().authenticate(delivery)).toEqual({ ok: true });
      expect(await source().read(delivery)).toMatchObject({
        kind: 'sync',
        trigger: { side: 'company', caseId: issue.id },
      });
    }
    const updated = received.find((r) => r.json.webhookEvent === 'jira:issue_updated');
    expect(updated?.json.issue_event_type_name).toBe('issue_commented');
    // A wrong secret does not verify.
    const wrong = new JiraWebhookSource({
      secret: 'another-secret-0123456789',
      ownAccountId: () => null,
    });
    expect(
      await wrong.authenticate({
        headers: received[0]?.headers as Record<string, string>,
        rawBody: received[0]?.raw as Buffer,
      }),
    ).toMatchObject({ ok: false });
  });

  it('the connector’s own comment (API user) is sent too, and the connector ignores it', async () => {
    await register({ events: ['comment_created'] });
    const issue = jira.createIssue({ summary: 'Synced', labels: [LABEL] });
    const res = await fetch(`${jira.url}/rest/api/3/issue/${issue.key}/comment`, {
      method: 'POST',
      headers: { authorization: auth(), 'content-type': 'application/json' },
      body: JSON.stringify({
        body: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'From Google.' }] }],
        },
      }),
    });
    expect(res.status).toBe(201);
    await jira.webhooksIdle();
    expect(received).toHaveLength(1);
    expect(received[0]?.json.comment.author.accountId).toBe(jira.apiUser.accountId);
    const delivery = {
      headers: received[0]?.headers as Record<string, string>,
      rawBody: received[0]?.raw as Buffer,
    };
    expect(await source(jira.apiUser.accountId).read(delivery)).toMatchObject({
      kind: 'ignore',
      reason: 'own-change',
    });
  });

  it('edits, transitions and attachments: jira:issue_updated with a changelog; attachment_created names no issue', async () => {
    await register();
    const issue = jira.createIssue({ summary: 'Synced', labels: [LABEL], priority: 'Low' });
    await jira.webhooksIdle();
    received.length = 0;
    jira.setPriority(issue.key, 'High');
    jira.addAttachment(issue.key, { filename: 'a.txt', content: Buffer.from('abc') });
    await jira.webhooksIdle();
    const events = received.map((r) => r.json.webhookEvent).sort();
    expect(events).toEqual(['attachment_created', 'jira:issue_updated', 'jira:issue_updated']);
    const priority = received.find((r) =>
      (r.json.changelog?.items ?? []).some((i: { field: string }) => i.field === 'priority'),
    );
    expect(priority?.json.changelog.items[0]).toMatchObject({
      fromString: 'Low',
      toString: 'High',
    });
    const att = received.find((r) => r.json.webhookEvent === 'attachment_created');
    expect(att?.json.issue).toBeUndefined();
    expect(att?.json.attachment.filename).toBe('a.txt');
    // Removing the label takes the issue out of the filter: that edit is the last event sent.
    received.length = 0;
    jira.setLabels(issue.key, []);
    jira.addComment(issue.key, { body: 'Unsynced now.' });
    await jira.webhooksIdle();
    expect(received).toHaveLength(0);
  });

  it('retries 5xx and dropped connections with the same identifier and a retry count; not 4xx; 5 retries at most', async () => {
    await register({ events: ['comment_created'] });
    const issue = jira.createIssue({ summary: 'Synced', labels: [LABEL] });
    answers = [503, 429];
    jira.addComment(issue.key, { body: 'Retried.' });
    await jira.webhooksIdle();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['x-atlassian-webhook-identifier'])).size).toBe(1);
    expect(received.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual([
      undefined,
      '1',
      '2',
    ]);
    expect(jira.webhookDeliveries().at(-1)).toMatchObject({ state: 'delivered' });

    received.length = 0;
    answers = [400];
    jira.addComment(issue.key, { body: 'Refused.' });
    await jira.webhooksIdle();
    expect(received).toHaveLength(1);
    expect(jira.webhookDeliveries().at(-1)).toMatchObject({ state: 'failed' });

    received.length = 0;
    answers = [500, 500, 500, 500, 500, 500, 500];
    jira.addComment(issue.key, { body: 'Never accepted.' });
    await jira.webhooksIdle();
    expect(received).toHaveLength(6);
    expect(
      jira
        .webhookDeliveries()
        .at(-1)
        ?.attempts.map((a) => a.status),
    ).toEqual([500, 500, 500, 500, 500, 500]);
  });

  it('a receiver that is down: the attempts fail without an answer and are retried', async () => {
    await register({ url: 'http://127.0.0.1:9/webhooks/jira', events: ['comment_created'] });
    const issue = jira.createIssue({ summary: 'Synced', labels: [LABEL] });
    jira.addComment(issue.key, { body: 'Nobody listens.' });
    await jira.webhooksIdle();
    const d = jira.webhookDeliveries().at(-1);
    expect(d?.state).toBe('failed');
    expect(d?.attempts).toHaveLength(6);
    expect(d?.attempts.every((a) => a.status === null)).toBe(true);
  });
});
