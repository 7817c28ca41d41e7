// `npm run doctor -- --register-webhooks=URL` over real HTTP against the Jira simulator's
// admin webhook REST API (/rest/webhooks/1.0/webhook: GET lists, POST creates, PUT
// replaces; basic auth of an administrator; src/sandbox/jira/webhooks.ts). That API is not
// in the platform OpenAPI: the simulator follows Atlassian's webhook guide.
import { runDoctor } from '../../src/doctor';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';

const ADMIN = { email: 'admin@example.com', token: 'admin-api-token-value' };
const SECRET = 'jira-webhook-secret-0123456789';

let jira: JiraSimulator;
let base: string;
let requests: Array<{ method: string; url: string }>;

beforeEach(async () => {
  requests = [];
  jira = await startJiraSimulator({
    email: ADMIN.email,
    apiToken: ADMIN.token,
    onExchange: (ex) => {
      if (ex.path.startsWith('/rest/webhooks/')) requests.push({ method: ex.method, url: ex.path });
    },
  });
  base = jira.url;
});

afterEach(async () => {
  await jira.close();
});

/** What the simulator holds for each webhook, in the shape the doctor sends. */
const webhooks = () =>
  jira.webhooks().map((w) => ({
    id: w.id,
    body: {
      name: w.name,
      url: w.url,
      events: w.events,
      filters: w.filters,
      excludeBody: w.excludeBody,
      secret: w.secret,
    },
  }));

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
    expect(webhooks()).toHaveLength(1);
    expect(webhooks()[0]?.body).toEqual({
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
    expect(r.output).toContain(`created admin webhook ${webhooks()[0]?.id}`);
    expect(r.output).not.toContain(SECRET);
  });

  it('run again, it updates the webhook registered for that URL instead of adding one', async () => {
    await runDoctor(env(), { registerWebhooks: URL_ });
    const r = await runDoctor(env({ JIRA_SYNC_JQL: 'labels = other' }), { registerWebhooks: URL_ });
    expect(r.exitCode).toBe(0);
    expect(webhooks()).toHaveLength(1);
    expect(webhooks()[0]?.body.filters).toEqual({
      'issue-related-events-section': 'labels = other',
    });
    expect(requests.map((q) => q.method)).toEqual(['GET', 'POST', 'GET', 'PUT']);
    expect(r.output).toContain(`updated admin webhook ${webhooks()[0]?.id}`);
  });

  it('says what to do when the account is not an administrator, and writes nothing', async () => {
    const r = await runDoctor(env({ JIRA_API_TOKEN: 'not-an-admin-token' }), {
      registerWebhooks: URL_,
    });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('not a Jira administrator');
    expect(r.output).not.toContain('not-an-admin-token');
    expect(webhooks()).toHaveLength(0);
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
