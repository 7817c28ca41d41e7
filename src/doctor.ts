// `npm run doctor` (deployed image: `node dist/src/server.js --doctor`): reads the configuration as
// the app does (same loader, same errors, same secret reading), checks it against the live
// systems without writing anything, and prints one line per check (✓ ✗ ! -), or JSON with
// --json. Exit code 0 only when no check failed; 2 for a configuration the loader refuses.
// The Google and CRM checks come from the ports (SupportCases.diagnose, Crm.diagnose).
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config';
import {
  checkOf,
  checklistPassed,
  renderChecklist,
  renderChecklistJson,
  type Check,
  type CheckSystem,
} from './domain/checks';
import type { MappingStore } from './ports/mapping-store';
import { CONFIG_DIR, jiraWebhookSecrets, makeCrm, makeDatastore, makeSupport } from './wiring';

type Env = Readonly<Record<string, string | undefined>>;

export interface DoctorResult {
  readonly checks: readonly Check[];
  readonly output: string;
  readonly exitCode: number;
}

export interface DoctorOptions {
  readonly json?: boolean;
  /** How long the store may take to answer a read. Default 5 s. */
  readonly storeTimeoutMs?: number;
  /**
   * `--register-webhooks=URL`: instead of the checks, register (or update) the Jira admin
   * webhook that posts to URL (README "Push"). The one write the doctor makes, on request.
   */
  readonly registerWebhooks?: string;
}

/** The CRM's lines are named after the CRM (CRM, default jira). */
const namesFor = (env: Env): Partial<Record<CheckSystem, string>> => ({
  crm: env.CRM?.trim() || 'jira',
});

/** Runs every check; never throws for a failing system (it becomes a ✗ line). */
export async function runDoctor(env: Env, opts: DoctorOptions = {}): Promise<DoctorResult> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const checks = e.problems.map((p, i) =>
      checkOf('config', `config.${i}`, 'configuration').fail(p, 'fix the environment (SPEC §3.2)'),
    );
    return finish(checks, opts, 2, env);
  }
  if (opts.registerWebhooks !== undefined) {
    const checks = [await registerWebhooks(config, opts.registerWebhooks)];
    return finish(checks, opts, checklistPassed(checks) ? 0 : 1, env);
  }
  const settings = config.settings;
  const [google, crm, store] = await Promise.all([
    guard('google', 'google.setup', () =>
      makeSupport(config, env).then((s) => s.diagnose(settings)),
    ),
    guard('crm', 'crm.setup', () => makeCrm(config).then((c) => c.diagnose(settings))),
    checkStore(config, env, opts.storeTimeoutMs ?? 5000),
  ]);
  const checks = [...google, ...crm, store, await checkQueue(config), checkSchedule(config)];
  return finish(checks, opts, checklistPassed(checks) ? 0 : 1, env);
}

function finish(checks: Check[], opts: DoctorOptions, exitCode: number, env: Env): DoctorResult {
  const names = namesFor(env);
  const text = opts.json ? renderChecklistJson(checks, names) : renderChecklist(checks, names);
  return { checks, output: redact(text, env), exitCode };
}

/** Registers the Jira admin webhook of README "Push" (CRM=jira, JIRA_WEBHOOK_SECRET set). */
async function registerWebhooks(config: Config, url: string): Promise<Check> {
  const c = checkOf('crm', 'crm.webhook', 'webhook');
  if (config.crm !== 'jira')
    return c.fail(
      `CRM=${config.crm}: only the Jira webhook is registered by the doctor`,
      'create the Zendesk webhook and trigger as README "Push" shows',
    );
  let target: URL;
  try {
    target = new URL(url);
    if (!['https:', 'http:'].includes(target.protocol)) throw new Error();
  } catch {
    return c.fail(
      `"${url}" is not a URL`,
      'pass --register-webhooks=https://PROJECT.REGION_ID.r.appspot.com/webhooks/jira',
    );
  }
  if (!target.pathname.endsWith('/webhooks/jira'))
    return c.fail(
      `${url} is not the connector's /webhooks/jira`,
      'end the URL with /webhooks/jira',
    );
  let secrets: Awaited<ReturnType<typeof jiraWebhookSecrets>>;
  try {
    secrets = await jiraWebhookSecrets(config);
  } catch (e) {
    return e instanceof ConfigError
      ? c.fail(e.problems.join('; '), 'fix the secret')
      : c.fail('the secrets could not be read', 'check Secret Manager access');
  }
  if (secrets === null)
    return c.fail(
      'JIRA_WEBHOOK_SECRET (or JIRA_WEBHOOK_SECRET_SECRET) is not set',
      'set it to the secret the connector verifies (README "Push")',
    );
  const { registerJiraWebhook } = await import('./adapters/webhooks/jira-webhook-registration');
  const r = await registerJiraWebhook({
    baseUrl: config.jira.baseUrl,
    email: config.jira.email,
    apiToken: secrets.apiToken,
    url: target.toString(),
    jql: config.jira.syncJql,
    secret: secrets.secret,
  });
  return r.ok
    ? c.ok(`${r.action} admin webhook ${r.id} → ${target.toString()} for "${config.jira.syncJql}"`)
    : c.fail(
        r.detail,
        r.status === 401 || r.status === 403
          ? 'run it with an administrator’s JIRA_EMAIL and JIRA_API_TOKEN, or create the webhook in Jira settings → System → WebHooks'
          : 'check JIRA_BASE_URL, then retry',
      );
}

/** Belt and braces: no secret value of the environment ever reaches the output. */
function redact(text: string, env: Env): string {
  const secrets = [
    'JIRA_API_TOKEN',
    'CLOUDSUPPORT_EMULATOR_TOKEN',
    'JIRA_WEBHOOK_SECRET',
    'ZENDESK_WEBHOOK_SECRET',
    'ZENDESK_API_TOKEN',
    'ZENDESK_OAUTH_CLIENT_SECRET',
    'SERVICENOW_PASSWORD',
    'SERVICENOW_OAUTH_CLIENT_SECRET',
  ]
    .map((k) => env[k]?.trim())
    .filter((v): v is string => v !== undefined && v.length >= 4);
  return secrets.reduce((t, s) => t.split(s).join('***'), text);
}

/** A port that cannot even be built (a secret not readable) is one ✗ line. */
async function guard(
  system: CheckSystem,
  id: string,
  run: () => Promise<Check[]>,
): Promise<Check[]> {
  try {
    return await run();
  } catch (e) {
    const c = checkOf(system, id, 'set-up');
    return e instanceof ConfigError
      ? e.problems.map((p) => c.fail(p, 'fix the configuration'))
      : [
          c.fail(
            `could not run the checks (${e instanceof Error ? e.name : 'error'})`,
            'see the error above',
          ),
        ];
  }
}

async function checkStore(config: Config, env: Env, timeoutMs: number): Promise<Check> {
  const c = checkOf('store', 'store.read', 'Datastore');
  if (config.store === 'memory')
    return c.warn(
      'STORE=memory: mappings are lost on every restart',
      'set STORE=datastore for go-live',
    );
  const where = env.DATASTORE_EMULATOR_HOST
    ? `emulator at ${env.DATASTORE_EMULATOR_HOST}`
    : `project ${env.GOOGLE_CLOUD_PROJECT ?? env.DATASTORE_PROJECT_ID ?? '(from ADC)'}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    const store: MappingStore = await makeDatastore(env);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    const g = await Promise.race([store.getGlobal(), timeout]);
    return c.ok(`${where}: readable (Global version ${g.version})`);
  } catch (e) {
    return c.fail(
      `${where}: not reachable (${e instanceof Error ? e.message : 'error'})`,
      env.DATASTORE_EMULATOR_HOST
        ? 'start the emulator or unset DATASTORE_EMULATOR_HOST'
        : 'create the Firestore database in Datastore mode and grant the identity roles/datastore.user',
    );
  } finally {
    if (timer) clearTimeout(timer);
  }
}

async function checkQueue(config: Config): Promise<Check> {
  const c = checkOf('queue', 'queue.cloud-tasks', 'Cloud Tasks queue');
  const { loadQueueConfig } = await import('./adapters/local/queue-yaml');
  let queues;
  try {
    queues = loadQueueConfig(path.join(CONFIG_DIR, 'queue.yaml'));
  } catch (e) {
    return c.fail(`queue.yaml: ${e instanceof Error ? e.message : 'unreadable'}`, 'fix queue.yaml');
  }
  const q = queues.find((x) => x.name === config.cloudTasks.queue);
  if (q === undefined)
    return c.fail(
      `queue.yaml has no queue "${config.cloudTasks.queue}"`,
      'set CLOUD_TASKS_QUEUE to a queue of queue.yaml',
    );
  if (config.taskQueue === 'local')
    return c.skipped(`TASK_QUEUE=local: the app runs queue.yaml's "${q.name}" in-process`);
  const [{ CloudTasksClient }, { diagnoseCloudTasksQueue }] = await Promise.all([
    import('@google-cloud/tasks'),
    import('./adapters/cloud-tasks/cloud-tasks-diagnose'),
  ]);
  const client = new CloudTasksClient();
  try {
    const { project, location, queue } = config.cloudTasks;
    return await diagnoseCloudTasksQueue(
      client,
      `projects/${project ?? ''}/locations/${location}/queues/${queue}`,
      q,
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}

function checkSchedule(config: Config): Check {
  const c = checkOf('schedule', 'schedule.cron', 'cron jobs');
  if (config.scheduler === 'local')
    return c.skipped('SCHEDULER=local: the app runs cron.yaml in-process');
  return c.skipped(
    'not checked: the doctor has no App Engine Admin / Cloud Scheduler access here; `gcloud app deploy cron.yaml`, then `gcloud scheduler jobs list` should show cron.yaml’s jobs',
  );
}
