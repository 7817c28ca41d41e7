// The push path as deployed, over real HTTP: startServer with JIRA_WEBHOOK_SECRET on the
// Jira and Cloud Support simulators, the local queue (queue.yaml) and the memory store. A
// signed Jira event is answered at once and its sync runs through the queue and the guarded
// task route; an event by the connector's own account (learnt from the simulator's
// /myself) is ignored; a forged one changes nothing.
import { jiraSignature } from '../../src/adapters/webhooks/signatures';
import type { TaskOutcome } from '../../src/adapters/local/local-task-queue';
import { startGoogleSimulator } from '../../src/sandbox/google';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';
import { startServer, type RunningConnector } from '../../src/server';
import { createLogger } from '../../src/adapters/log/pino-logger';
import { Writable } from 'node:stream';

const SECRET = 'jira-webhook-secret-for-tests';

let jira: JiraSimulator;
let google: Awaited<ReturnType<typeof startGoogleSimulator>>;
let connector: RunningConnector;
const outcomes: TaskOutcome[] = [];
const waiters: Array<() => void> = [];
const logLines: string[] = [];

beforeAll(async () => {
  google = await startGoogleSimulator();
  jira = await startJiraSimulator();
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => (logLines.push(c.toString()), cb()),
  });
  connector = await startServer(
    {
      PORT: '0',
      SUPPORT_PARENT: 'organizations/123456789012',
      SUPPORT_CLASSIFICATION_ID: '100H41Q3DTMN0TBKCKD0SGRVNO3MK6KL5P4M2R1N3Q3G6P2QRAPE',
      SUPPORT_TEST_CASES: 'true',
      CLOUDSUPPORT_EMULATOR_HOST: google.host,
      CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.apiToken,
      JIRA_PROJECT_KEY: 'SUP',
      JIRA_WEBHOOK_SECRET: SECRET,
      STORE: 'memory',
      TASK_QUEUE: 'local',
      SCHEDULER: 'off',
    },
    {
      logger: createLogger({ level: 'info', format: 'json', destination: sink }),
      localQueueOptions: {
        onOutcome: (o) => {
          outcomes.push(o);
          waiters.splice(0).forEach((w) => w());
        },
      },
    },
  );
  await connector.ready();
});

afterAll(async () => {
  await connector?.close();
  await jira?.close();
  await google?.close();
});

/** Resolves once the queue reports an outcome matching `pred`. */
async function outcome(pred: (o: TaskOutcome) => boolean): Promise<TaskOutcome> {
  for (;;) {
    const found = outcomes.find(pred);
    if (found) return found;
    await new Promise<void>((r) => waiters.push(r));
  }
}

const post = (body: string, headers: Record<string, string>) =>
  fetch(`${connector.url}/webhooks/jira`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

const event = (issueId: string, accountId: string, webhookEvent = 'jira:issue_created') =>
  JSON.stringify({
    timestamp: Date.now(),
    webhookEvent,
    user: { accountId },
    issue: { id: issueId },
  });

it('a signed event runs the sync of its ticket through the queue: the ticket gets its Google case', async () => {
  const issue = jira.createIssue({
    summary: 'Pushed: Dataflow job stuck',
    description: 'Since 09:00.',
    labels: ['synchronizeWithGoogleCloudSupport'],
    priority: 'Medium',
  });
  const body = event(issue.id, 'someone-else');
  const res = await post(body, {
    'x-hub-signature': jiraSignature(SECRET, body),
    'x-atlassian-webhook-identifier': 'e2e-1',
  });
  expect(res).toMatchObject({ status: 200, body: { outcome: 'enqueued', edge: 'leading' } });
  const done = await outcome((o) => o.kind === 'sync-company-case' && o.outcome === 'delivered');
  expect(done.status).toBe(200);
  expect(google.listCases().map((c) => c.displayName)).toContain('Pushed: Dataflow job stuck');
});

it("ignores the connector's own changes (its account id read from /myself)", async () => {
  const body = event('10001', jira.apiUser.accountId, 'jira:issue_updated');
  const res = await post(body, {
    'x-hub-signature': jiraSignature(SECRET, body),
    'x-atlassian-webhook-identifier': 'e2e-own',
  });
  expect(res.body).toEqual({ outcome: 'ignored', reason: 'own-change' });
});

it('a forged event is answered 401 and enqueues nothing', async () => {
  const before = connector.localQueue?.stats();
  const body = event('10001', 'someone-else', 'jira:issue_updated');
  const res = await post(body, { 'x-hub-signature': jiraSignature('guessed-secret', body) });
  expect(res.status).toBe(401);
  const after = connector.localQueue?.stats();
  expect(after?.pending).toBe(before?.pending);
  expect(after?.delivered).toBe(before?.delivered);
  expect(logLines.join('')).not.toContain(SECRET);
});
