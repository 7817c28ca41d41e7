// The adapter builders of the configuration (secrets read from Secret Manager where named),
// shared by the connector (server.ts), the admin service and the doctor. Each loads its
// client library on first use, after listen (see lazy.ts).
import path from 'node:path';
import {
  ConfigError,
  type Config,
  type SecretRef,
  type ServiceNowConfig,
  type ZendeskConfig,
} from './config';
import type { JWTVerifyGetKey } from 'jose';
import type { WebhookOptions } from './http/webhooks';
import type { ServiceNowAuth } from './adapters/servicenow/servicenow-client';
import type { ZendeskAuth } from './adapters/zendesk/zendesk-client';
import type { RetryPolicy } from './adapters/retry';
import type { Crm } from './ports/crm';
import type { Logger } from './ports/logger';
import type { MappingStore } from './ports/mapping-store';
import type { PushDelivery, PushSource, PushSourceName } from './ports/push-source';
import type { SupportCases } from './ports/support-cases';
import type { TaskQueue } from './ports/task-queue';

/** Where app.yaml, cron.yaml and queue.yaml live (the repo root, also after compiling to dist/src). */
export const CONFIG_DIR = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..',
);

/** The Crm of the configuration (secrets read from Secret Manager when they are named there). */
export async function makeCrm(
  config: Config,
  retry?: RetryPolicy,
  log?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'error'>>,
): Promise<Crm> {
  if (config.crm === 'zendesk' && config.zendesk !== null)
    return makeZendeskCrm(config.zendesk, retry, log);
  if (config.crm === 'servicenow' && config.servicenow !== null)
    return makeServiceNowCrm(config.servicenow, retry, log);
  const apiToken =
    config.jira.apiToken ??
    (await readSecret(config.jira.apiTokenSecret as string, 'JIRA_API_TOKEN_SECRET'));
  const { JiraCrm } = await import('./adapters/jira/jira-crm');
  return new JiraCrm({
    baseUrl: config.jira.baseUrl,
    email: config.jira.email,
    apiToken,
    projectKey: config.jira.projectKey,
    issueType: config.jira.issueType,
    syncJql: config.jira.syncJql,
    syncLabel: config.jira.syncLabel,
    googleCaseField: config.jira.googleCaseField ?? undefined,
    priorityNames: config.jira.priorityNames,
    doneTransition: config.jira.doneTransition ?? undefined,
    retry,
  });
}

async function makeZendeskCrm(
  z: ZendeskConfig,
  retry?: RetryPolicy,
  log?: Pick<Logger, 'warn'>,
): Promise<Crm> {
  const { ZendeskCrm } = await import('./adapters/zendesk/zendesk-crm');
  let auth: ZendeskAuth;
  if (z.oauth !== null) {
    const clientSecret =
      z.oauth.clientSecret ??
      (await readSecret(
        z.oauth.clientSecretSecret as string,
        'ZENDESK_OAUTH_CLIENT_SECRET_SECRET',
      ));
    auth = { kind: 'oauth', clientId: z.oauth.clientId, clientSecret };
  } else {
    const t = z.apiToken as NonNullable<ZendeskConfig['apiToken']>;
    const apiToken =
      t.token ?? (await readSecret(t.tokenSecret as string, 'ZENDESK_API_TOKEN_SECRET'));
    auth = { kind: 'token', email: t.email, apiToken };
  }
  return new ZendeskCrm({
    baseUrl: z.baseUrl,
    auth,
    syncTag: z.syncTag,
    priorities: z.priorities,
    ...(z.groupId !== null ? { groupId: z.groupId } : {}),
    retry,
    log,
  });
}

/**
 * The ServiceNow adapter, after the boot guard of SPEC §6.2: a field of SERVICENOW_SYNC_QUERY
 * or of the adapter that the table lacks fails the boot (ServiceNow would ignore that part of
 * the query and sync every record). An instance that cannot be asked now (down, refusing) is
 * logged; the adapter checks again before its first poll and polls nothing until it passes.
 */
async function makeServiceNowCrm(
  c: ServiceNowConfig,
  retry?: RetryPolicy,
  log?: Pick<Logger, 'warn'> & Partial<Pick<Logger, 'error'>>,
): Promise<Crm> {
  const { ServiceNowCrm } = await import('./adapters/servicenow/servicenow-crm');
  let auth: ServiceNowAuth;
  if (c.oauth !== null) {
    const clientSecret =
      c.oauth.clientSecret ??
      (await readSecret(
        c.oauth.clientSecretSecret as string,
        'SERVICENOW_OAUTH_CLIENT_SECRET_SECRET',
      ));
    auth = { kind: 'oauth', clientId: c.oauth.clientId, clientSecret };
  } else {
    const b = c.basic as NonNullable<ServiceNowConfig['basic']>;
    const password =
      b.password ?? (await readSecret(b.passwordSecret as string, 'SERVICENOW_PASSWORD_SECRET'));
    auth = { kind: 'basic', user: b.user, password };
  }
  const crm = new ServiceNowCrm({
    instanceUrl: c.instanceUrl,
    auth,
    table: c.table,
    syncQuery: c.syncQuery,
    priorities: c.priorities,
    ...(c.assignmentGroup !== null ? { assignmentGroup: c.assignmentGroup } : {}),
    retry,
    ...(log !== undefined
      ? {
          log: {
            warn: (f, m) => log.warn(f, m),
            // Called on the logger (a detached pino method throws a TypeError).
            error: (f, m) => (log.error ? log.error(f, m) : log.warn(f, m)),
          },
        }
      : {}),
  });
  let missing: readonly string[] = [];
  try {
    missing = (await crm.checkFields()).missing;
  } catch (e) {
    log?.warn(
      { crm: 'servicenow', table: c.table, detail: e instanceof Error ? e.message : 'unknown' },
      'servicenow fields not checked at boot: checked again before the first poll',
    );
  }
  if (missing.length > 0)
    throw new ConfigError([
      `SERVICENOW_TABLE=${c.table} has no field ${missing.join(', ')} (sys_dictionary, with its parents): ServiceNow ignores unknown query terms, so SERVICENOW_SYNC_QUERY would sync every record; create the field or fix the query`,
    ]);
  return crm;
}

export async function makeSupport(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  retry?: RetryPolicy,
): Promise<SupportCases> {
  const { googleSupportCasesForEmulator, googleSupportCasesFromAdc } =
    await import('./adapters/google/google-support-cases');
  if (config.google.emulatorHost) {
    return googleSupportCasesForEmulator(
      config.google.emulatorHost,
      env.CLOUDSUPPORT_EMULATOR_TOKEN ?? 'sandbox-token',
      { retry },
    );
  }
  return googleSupportCasesFromAdc({ retry });
}

export async function makeMemoryStore(): Promise<MappingStore> {
  const { MemoryMappingStore } = await import('./adapters/local/memory-mapping-store');
  return new MemoryMappingStore();
}

export async function makeDatastore(
  env: Readonly<Record<string, string | undefined>>,
): Promise<MappingStore> {
  const { DatastoreMappingStore } = await import('./adapters/datastore/datastore-mapping-store');
  return new DatastoreMappingStore({
    projectId: env.GOOGLE_CLOUD_PROJECT ?? env.DATASTORE_PROJECT_ID,
  });
}

export async function makeCloudTasks(config: Pick<Config, 'cloudTasks'>): Promise<TaskQueue> {
  const [{ CloudTasksClient }, { CloudTasksQueue }] = await Promise.all([
    import('@google-cloud/tasks'),
    import('./adapters/cloud-tasks/cloud-tasks-queue'),
  ]);
  return new CloudTasksQueue({
    client: new CloudTasksClient(),
    project: config.cloudTasks.project as string,
    location: config.cloudTasks.location,
    queue: config.cloudTasks.queue,
  });
}

/**
 * The push paths of the configuration (README "Push"), or undefined when none is set. Each
 * source is built on first use or by `later` (the boot check): its secret is read then.
 */
export function makeWebhooks(
  config: Pick<Config, 'webhooks' | 'jira'>,
  later: <T extends object>(build: () => Promise<T>) => T,
  log?: Pick<Logger, 'warn'>,
  /** The keys that verify Pub/Sub push tokens (the sandbox's OIDC relay); default Google's. */
  googlePushKeys?: JWTVerifyGetKey,
): WebhookOptions | undefined {
  const w = config.webhooks;
  const sources: PushSource[] = [];
  const lazySource = (name: PushSourceName, build: () => Promise<PushSource>): PushSource => {
    const port = later(build);
    return {
      name,
      authenticate: (d: PushDelivery) => port.authenticate(d),
      read: (d: PushDelivery) => port.read(d),
    };
  };
  if (w.jira !== null) {
    const ref = w.jira;
    sources.push(lazySource('jira', () => makeJiraWebhook(config.jira, ref, log)));
  }
  if (w.zendesk !== null) {
    const ref = w.zendesk;
    sources.push(
      lazySource('zendesk', async () => {
        const { ZendeskWebhookSource } = await import('./adapters/webhooks/zendesk-webhook');
        return new ZendeskWebhookSource({
          secret: await secretOf(ref, 'ZENDESK_WEBHOOK_SECRET_SECRET'),
        });
      }),
    );
  }
  if (w.google !== null) {
    const g = w.google;
    sources.push(
      lazySource('google', async () => {
        const { PubSubPushSource } = await import('./adapters/webhooks/pubsub-push');
        return new PubSubPushSource({
          audience: g.audience,
          serviceAccountEmail: g.serviceAccount,
          ...(googlePushKeys ? { keys: googlePushKeys } : {}),
        });
      }),
    );
  }
  return sources.length === 0 ? undefined : { sources, coalesceWindowMs: w.coalesceWindowMs };
}

/**
 * The Jira webhook's source. Events caused by the connector's own account are ignored: its
 * account id is read from /myself in the background (until then, such events only cost a
 * sync that writes nothing).
 */
async function makeJiraWebhook(
  jira: Config['jira'],
  ref: SecretRef,
  log?: Pick<Logger, 'warn'>,
): Promise<PushSource> {
  const [secret, apiToken, { JiraWebhookSource }, { JiraClient }] = await Promise.all([
    secretOf(ref, 'JIRA_WEBHOOK_SECRET_SECRET'),
    jira.apiToken ?? readSecret(jira.apiTokenSecret as string, 'JIRA_API_TOKEN_SECRET'),
    import('./adapters/webhooks/jira-webhook'),
    import('./adapters/jira/jira-client'),
  ]);
  const client = new JiraClient({ baseUrl: jira.baseUrl, email: jira.email, apiToken });
  let own: string | null = null;
  let asking: Promise<void> | null = null;
  const ask = (): Promise<void> => {
    asking ??= client.connectorAccountId().then(
      (id) => {
        own = id;
      },
      (e: unknown) => {
        asking = null; // asked again by the next event
        log?.warn(
          { error: e instanceof Error ? e.name : 'unknown' },
          'Jira account id not read: own changes are not told apart yet',
        );
      },
    );
    return asking;
  };
  // Asked at build (after listen, in the boot check); waited for 2 s at most: a slow or
  // failed answer is not fatal, the next event asks again.
  await Promise.race([ask(), new Promise((r) => setTimeout(r, 2000).unref())]);
  return new JiraWebhookSource({
    secret,
    ownAccountId: () => {
      if (own === null) void ask();
      return own;
    },
  });
}

/** What registering the Jira webhook needs (the doctor): its secret and the API token. */
export async function jiraWebhookSecrets(
  config: Pick<Config, 'jira' | 'webhooks'>,
): Promise<{ secret: string; apiToken: string } | null> {
  const ref = config.webhooks.jira;
  if (ref === null) return null;
  const [secret, apiToken] = await Promise.all([
    secretOf(ref, 'JIRA_WEBHOOK_SECRET_SECRET'),
    config.jira.apiToken ??
      readSecret(config.jira.apiTokenSecret as string, 'JIRA_API_TOKEN_SECRET'),
  ]);
  return { secret, apiToken };
}

function secretOf(ref: SecretRef, variable: string): Promise<string> {
  return ref.value !== null
    ? Promise.resolve(ref.value)
    : readSecret(ref.secretName as string, variable);
}

async function readSecret(name: string, variable: string): Promise<string> {
  const { SecretManagerServiceClient } = await import('@google-cloud/secret-manager');
  const client = new SecretManagerServiceClient();
  const version = name.includes('/versions/') ? name : `${name}/versions/latest`;
  let res;
  try {
    [res] = await client.accessSecretVersion({ name: version });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new ConfigError([
      `${variable}: the secret could not be read (${typeof code === 'number' ? `gRPC code ${code}` : e instanceof Error ? e.name : 'unknown error'}); check its name and the Secret Manager Secret Accessor role`,
    ]);
  }
  const data = res.payload?.data;
  const value = typeof data === 'string' ? data : data ? Buffer.from(data).toString('utf8') : '';
  if (!value.trim()) throw new ConfigError([`${variable}: the secret is empty`]);
  return value.trim();
}
