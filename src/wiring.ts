// The adapter builders of the configuration (secrets read from Secret Manager where named),
// shared by the connector (server.ts), the admin service and the doctor. Each loads its
// client library on first use, after listen (see lazy.ts).
import path from 'node:path';
import { ConfigError, type Config, type ServiceNowConfig, type ZendeskConfig } from './config';
import type { ServiceNowAuth } from './adapters/servicenow/servicenow-client';
import type { ZendeskAuth } from './adapters/zendesk/zendesk-client';
import type { RetryPolicy } from './adapters/retry';
import type { Crm } from './ports/crm';
import type { Logger } from './ports/logger';
import type { MappingStore } from './ports/mapping-store';
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
      ? { log: { warn: (f, m) => log.warn(f, m), error: (f, m) => (log.error ?? log.warn)(f, m) } }
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
