// `npm run doctor` against the simulators with the real adapters over HTTP: a good set-up
// gives every check ✓ and exit code 0; each broken set-up gives its ✗ line with the fix
// and exit code 1. Never prints a secret. The CLI itself (--json, Datastore down) runs as
// a child process.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runDoctor } from '../../src/doctor';
import {
  startGoogleSimulator,
  type GoogleSimulator,
  type GoogleSimulatorOptions,
} from '../../src/sandbox/google';
import {
  startJiraSimulator,
  type JiraSimulator,
  type JiraSimulatorOptions,
} from '../../src/sandbox/jira';
import { datastoreEmulatorHost } from '../support/emulator-env';

const ORG = 'organizations/4242';
const CLS = 'cls-compute';
const TOKEN = 'jira-secret-token-4711';
const run = promisify(execFile);

let google: GoogleSimulator;
let jira: JiraSimulator;

async function start(g: GoogleSimulatorOptions = {}, j: JiraSimulatorOptions = {}): Promise<void> {
  google = await startGoogleSimulator({
    classifications: [{ id: CLS, displayName: 'Technical Issue > Compute > Compute Engine' }],
    ...g,
  });
  jira = await startJiraSimulator({ apiToken: TOKEN, ...j });
  jira.createIssue({ summary: 'open ticket', labels: ['synchronizeWithGoogleCloudSupport'] });
}
afterEach(async () => {
  await Promise.all([google.close(), jira.close()]);
});

const ds = datastoreEmulatorHost();
function env(over: Record<string, string> = {}): Record<string, string> {
  return {
    SUPPORT_PARENT: ORG,
    SUPPORT_CLASSIFICATION_ID: CLS,
    CLOUDSUPPORT_EMULATOR_HOST: google.host,
    CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: TOKEN,
    JIRA_PROJECT_KEY: 'SUP',
    JIRA_GOOGLE_CASE_FIELD: 'customfield_10050',
    ...(ds.kind === 'host'
      ? { DATASTORE_EMULATOR_HOST: ds.host, DATASTORE_PROJECT_ID: ds.projectId }
      : { STORE: 'memory' }),
    TASK_QUEUE: 'local',
    SCHEDULER: 'local',
    METADATA_SERVER_DETECTION: 'none',
    ...over,
  };
}
const line = (output: string, title: string): string =>
  output.split('\n').find((l) => l.includes(title)) ?? `(no line "${title}")`;

describe('npm run doctor', () => {
  it('a good set-up: every check ✓ (queue and cron run in-process: not checked), exit 0', async () => {
    await start();
    const r = await runDoctor(env());
    expect(r.checks.filter((c) => c.status !== 'ok' && c.status !== 'skipped')).toEqual(
      ds.kind === 'host' ? [] : [expect.objectContaining({ id: 'store.read' })],
    );
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^✓ google +credentials +connector@sandbox-project/m);
    expect(line(r.output, 'auth')).toMatch(
      /^✓ jira +auth +as Google Sync Connector <connector@example.com>/,
    );
    expect(line(r.output, 'sync JQL')).toContain('matches 1 ticket now');
    expect(r.output).toContain('ready: ');
    expect(r.output).not.toContain(TOKEN);
  });

  const broken: [string, () => Promise<Record<string, string>>, string, RegExp, RegExp][] = [
    [
      'wrong Jira token',
      async () => (await start(), env({ JIRA_API_TOKEN: 'wrong-token-123' })),
      'auth',
      /^✗ jira +auth +Jira rejected JIRA_EMAIL connector@example.com with its API token \(401\)/,
      /create an API token for connector@example.com/,
    ],
    [
      'unknown priority name',
      async () => (
        await start(),
        env({ JIRA_PRIORITY_MAP: 'P0=Urgent,P1=High,P2=Medium,P3=Low,P4=Lowest' })
      ),
      'priority names',
      /^✗ jira +priority names +"Urgent" \(P0\) is not a priority of this site/,
      /set JIRA_PRIORITY_MAP to names from: Highest, High, Medium, Low, Lowest/,
    ],
    [
      'no done transition',
      async () => (
        await start(
          {},
          {
            transitions: [
              { id: '11', name: 'To Do', to: 'To Do' },
              { id: '21', name: 'In Progress', to: 'In Progress' },
            ],
          },
        ),
        env()
      ),
      'done transition',
      /^✗ jira +done transition +no transition into a done status from "To Do" \(SUP-1\)/,
      /add a transition into a Done-category status to the SUP Task workflow/,
    ],
    [
      'unknown classification',
      async () => (await start(), env({ SUPPORT_CLASSIFICATION_ID: 'cls-nope' })),
      'classification',
      /^✗ google +classification +"cls-nope" is not a classification/,
      /set SUPPORT_CLASSIFICATION_ID to one of: cls-compute \(Technical Issue > Compute > Compute Engine\)/,
    ],
    [
      'unreadable parent',
      async () => (await start({ parentAccess: { [ORG]: 'none' } }), env()),
      'SUPPORT_PARENT',
      /^✗ google +SUPPORT_PARENT +connector@sandbox-project.iam.gserviceaccount.com may not read cases under organizations\/4242 \(403 PERMISSION_DENIED\)/,
      /gcloud organizations add-iam-policy-binding 4242 --member=serviceAccount:connector@sandbox-project.iam.gserviceaccount.com --role=roles\/cloudsupport.techSupportEditor/,
    ],
    [
      'a viewer cannot create cases',
      async () => (await start({ parentAccess: { [ORG]: 'view' } }), env()),
      'may create cases',
      /^✗ google +may create cases +connector@sandbox-project.iam.gserviceaccount.com lacks cloudsupport.techCases.create on organizations\/4242/,
      /organization-level role roles\/cloudsupport.techSupportEditor/,
    ],
  ];
  it.each(broken)(
    '%s: the ✗ line with its fix, exit 1',
    async (_name, setup, title, found, fix) => {
      const e = await setup();
      const r = await runDoctor(e);
      expect(line(r.output, title)).toMatch(found);
      expect(line(r.output, title)).toMatch(fix);
      expect(r.exitCode).toBe(1);
      expect(r.output).toContain('NOT READY');
      expect(r.output).not.toContain(TOKEN);
      expect(r.output).not.toContain('wrong-token-123');
    },
  );

  it('a configuration the loader refuses: its errors, exit 2', async () => {
    await start();
    const r = await runDoctor(env({ SUPPORT_PARENT: 'folders/1' }));
    expect(line(r.output, 'configuration')).toMatch(
      /^✗ config +configuration +SUPPORT_PARENT must look like/,
    );
    expect(r.exitCode).toBe(2);
  });

  it('the CLI: --json parses, Datastore down is a ✗ store line, exit 1', async () => {
    await start();
    const cli = path.join(__dirname, '../../src/server.ts');
    const tsx = path.join(__dirname, '../../node_modules/.bin/tsx');
    const e = {
      ...process.env,
      ...env({
        STORE: 'datastore',
        DATASTORE_EMULATOR_HOST: '127.0.0.1:9',
        DATASTORE_PROJECT_ID: 'p',
      }),
    };
    const out = await run(tsx, [cli, '--doctor', '--json'], { env: e }).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(out.code).toBe(1);
    const parsed = JSON.parse(out.stdout) as {
      ok: boolean;
      checks: { id: string; system: string; status: string; detail?: string; fix?: string }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.checks.find((c) => c.id === 'store.read')).toMatchObject({
      system: 'store',
      status: 'fail',
      detail: expect.stringContaining('emulator at 127.0.0.1:9: not reachable'),
      fix: 'start the emulator or unset DATASTORE_EMULATOR_HOST',
    });
    expect(parsed.checks.find((c) => c.id === 'crm.auth')?.status).toBe('ok');
    expect(out.stdout).not.toContain(TOKEN);
  });
});
