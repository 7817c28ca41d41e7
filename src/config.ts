import {
  DEFAULT_JIRA_PRIORITY_MAP,
  parseJiraPriorityMap,
  type JiraPriorityNames,
} from './domain/priority';
import { parseIsoDurationMs } from './domain/durations';
import { DEFAULT_SYNC_JQL, DEFAULT_SYNC_LABEL, type SyncSettings } from './domain/settings';

export const CRMS = ['jira', 'zendesk', 'servicenow'] as const;
export type CrmName = (typeof CRMS)[number];

export type { ServiceNowConfig, ZendeskConfig } from './config/crm-config';
export type { SecretRef, WebhookConfig } from './config/webhook-config';
import {
  serviceNowCommentSettings,
  serviceNowConfig,
  zendeskConfig,
  type ServiceNowConfig,
  type ZendeskConfig,
} from './config/crm-config';
import { webhookConfig, type WebhookConfig } from './config/webhook-config';

/** Everything the connector reads from its environment (SPEC §3.2), validated once at boot. */
export interface Config {
  readonly port: number;
  readonly onAppEngine: boolean;
  readonly settings: SyncSettings;
  readonly google: { readonly emulatorHost: string | null };
  readonly jira: {
    readonly baseUrl: string;
    readonly email: string;
    /** Set when the token comes from the environment; else `apiTokenSecret` names it in Secret Manager. */
    readonly apiToken: string | null;
    readonly apiTokenSecret: string | null;
    readonly projectKey: string;
    readonly issueType: string;
    readonly syncJql: string;
    readonly syncLabel: string;
    readonly googleCaseField: string | null;
    readonly priorityNames: JiraPriorityNames;
    readonly doneTransition: string | null;
  };
  /** CRM=jira|zendesk (default jira): which desk this deployment syncs. */
  readonly crm: CrmName;
  /** Set when crm is zendesk. */
  readonly zendesk: ZendeskConfig | null;
  /** Set when crm is servicenow. */
  readonly servicenow: ServiceNowConfig | null;
  /** Variables of the CRM not chosen that are set, and ignored (named in the boot log). */
  readonly ignoredVariables: readonly string[];
  /** Boot warnings (no secret values), e.g. the legacy Zendesk API token's end date. */
  readonly warnings: readonly string[];
  readonly store: 'datastore' | 'memory';
  readonly taskQueue: 'cloud-tasks' | 'local';
  readonly scheduler: 'local' | 'off';
  /** JSON for Cloud Logging on App Engine (or LOG_FORMAT=json); readable lines elsewhere. */
  readonly log: { readonly level: LogLevel; readonly format: 'json' | 'pretty' };
  /** Cloud Tasks location and queue (production). */
  readonly cloudTasks: {
    readonly project: string | null;
    readonly location: string;
    readonly queue: string;
  };
  /** ADMIN_PAGE=local: the status page at /admin/ of this service, without IAP (sandbox only). */
  readonly adminPage: 'off' | 'local';
  readonly webhooks: WebhookConfig;
}

/** The `admin` service (SERVICE_ROLE=admin, admin.yaml): the status page behind IAP. */
export interface AdminConfig {
  readonly port: number;
  readonly onAppEngine: boolean;
  /** `/projects/NUMBER/apps/PROJECT_ID`; null only off App Engine (then no IAP, red banner). */
  readonly iapAudience: string | null;
  readonly store: Config['store'];
  readonly taskQueue: Config['taskQueue'];
  readonly log: Config['log'];
  readonly cloudTasks: Config['cloudTasks'];
  /** Which CRM the tickets' links go to (CRM, default jira). */
  readonly crm: CrmName;
  /** For the tickets' links: JIRA_BASE_URL, ZENDESK_BASE_URL or SERVICENOW_INSTANCE_URL, when set. */
  readonly crmBaseUrl: string | null;
  /** CRM=servicenow: SERVICENOW_TABLE (the links name the table). */
  readonly crmTable: string | null;
}

const IAP_AUDIENCE = /^\/projects\/\d+\/apps\/[a-z][-a-z0-9.:]*$/;

/** The admin service's settings: what loadConfig reads that it needs, plus ADMIN_IAP_AUDIENCE. */
export function loadAdminConfig(env: Readonly<Record<string, string | undefined>>): AdminConfig {
  const base = loadConfig({
    SUPPORT_PARENT: 'organizations/0',
    JIRA_BASE_URL: 'https://unused.invalid',
    JIRA_EMAIL: 'unused',
    JIRA_API_TOKEN: 'unused',
    JIRA_PROJECT_KEY: 'UNUSED',
    // CRM=zendesk: the admin service only links to tickets, it never calls Zendesk.
    ZENDESK_BASE_URL: 'https://unused.invalid',
    ZENDESK_OAUTH_CLIENT_ID: 'unused',
    ZENDESK_OAUTH_CLIENT_SECRET: 'unused',
    SERVICENOW_INSTANCE_URL: 'https://unused.invalid',
    SERVICENOW_USER: 'unused',
    SERVICENOW_PASSWORD: 'unused',
    ...env,
    SCHEDULER: 'off',
    ADMIN_PAGE: 'off',
  });
  const audience = env.ADMIN_IAP_AUDIENCE?.trim() || null;
  const problems: string[] = [];
  if (audience !== null && !IAP_AUDIENCE.test(audience))
    problems.push('ADMIN_IAP_AUDIENCE must look like /projects/PROJECT_NUMBER/apps/PROJECT_ID');
  if (audience === null && base.onAppEngine)
    problems.push('ADMIN_IAP_AUDIENCE is required on App Engine (the status page is behind IAP)');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port: base.port,
    onAppEngine: base.onAppEngine,
    iapAudience: audience,
    store: base.store,
    taskQueue: base.taskQueue,
    log: base.log,
    cloudTasks: base.cloudTasks,
    crm: base.crm,
    crmBaseUrl: crmBaseUrlOf(base.crm, env),
    crmTable: base.servicenow?.table ?? null,
  });
}

function crmBaseUrlOf(crm: CrmName, env: Readonly<Record<string, string | undefined>>) {
  const v =
    crm === 'zendesk'
      ? env.ZENDESK_BASE_URL
      : crm === 'servicenow'
        ? env.SERVICENOW_INSTANCE_URL
        : env.JIRA_BASE_URL;
  return v?.trim() || null;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`,
    );
    this.name = 'ConfigError';
  }
}

const PARENT = /^(organizations|projects)\/[^/\s]+$/;

/** Reads and validates the environment; throws one ConfigError listing every problem. Never echoes secret values. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const get = (k: string): string | undefined => {
    const v = env[k]?.trim();
    return v === '' ? undefined : v;
  };
  const required = (k: string, why = 'is required'): string => {
    const v = get(k);
    if (v === undefined) problems.push(`${k} ${why}`);
    return v ?? '';
  };
  const oneOf = <T extends string>(k: string, allowed: readonly T[], dflt: T): T => {
    const v = get(k) ?? dflt;
    if (!(allowed as readonly string[]).includes(v))
      problems.push(`${k} must be one of ${allowed.join(', ')} (got "${v}")`);
    return v as T;
  };
  const duration = (k: string, dflt: string): number => {
    try {
      return parseIsoDurationMs(get(k) ?? dflt);
    } catch (e) {
      problems.push(`${k}: ${(e as Error).message}`);
      return 0;
    }
  };
  const bool = (k: string): boolean => {
    const v = (get(k) ?? 'false').toLowerCase();
    if (!['true', 'false', '1', '0', 'yes', 'no'].includes(v))
      problems.push(`${k} must be true or false`);
    return ['true', '1', 'yes'].includes(v);
  };

  const onAppEngine = get('GAE_ENV') === 'standard';
  const portRaw = get('PORT') ?? '8080';
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be a port number (got "${portRaw}")`);

  const supportParent = required('SUPPORT_PARENT');
  if (supportParent && !PARENT.test(supportParent))
    problems.push('SUPPORT_PARENT must look like organizations/ID or projects/ID');
  const supportCaseParent = get('SUPPORT_CASE_PARENT') ?? supportParent;
  if (supportCaseParent && !PARENT.test(supportCaseParent))
    problems.push('SUPPORT_CASE_PARENT must look like organizations/ID or projects/ID');

  const emulatorHost = get('CLOUDSUPPORT_EMULATOR_HOST') ?? null;
  if (emulatorHost && !/^[\w.-]+:\d+$/.test(emulatorHost))
    problems.push('CLOUDSUPPORT_EMULATOR_HOST must be host:port');

  const crm = oneOf('CRM', CRMS, 'jira');
  const isJira = crm === 'jira';
  const warnings: string[] = [];
  const zendesk =
    crm === 'zendesk' ? zendeskConfig(get, required, problems, warnings, onAppEngine) : null;
  const servicenow =
    crm === 'servicenow' ? serviceNowConfig(get, required, problems, onAppEngine) : null;
  const otherPrefixes = CRMS.filter((c) => c !== crm).map((c) => `${c.toUpperCase()}_`);
  const ignoredVariables = Object.keys(env)
    .filter((k) => env[k]?.trim())
    .filter((k) => otherPrefixes.some((p) => k.startsWith(p)))
    .sort();
  const prefix = isJira ? 'JIRA' : 'ZENDESK';

  const baseUrl = isJira ? required('JIRA_BASE_URL') : (get('JIRA_BASE_URL') ?? '');
  if (isJira && baseUrl) {
    try {
      const u = new URL(baseUrl);
      if (!['http:', 'https:'].includes(u.protocol)) throw new Error();
      if (onAppEngine && u.protocol !== 'https:')
        problems.push('JIRA_BASE_URL must use https on App Engine');
    } catch {
      problems.push('JIRA_BASE_URL must be an http(s) URL');
    }
  }
  const email = isJira ? required('JIRA_EMAIL') : (get('JIRA_EMAIL') ?? '');
  const apiToken = get('JIRA_API_TOKEN') ?? null;
  const apiTokenSecret = get('JIRA_API_TOKEN_SECRET') ?? null;
  if (isJira && !apiToken && !apiTokenSecret)
    problems.push('JIRA_API_TOKEN or JIRA_API_TOKEN_SECRET is required');
  if (
    isJira &&
    apiTokenSecret &&
    !/^projects\/[^/]+\/secrets\/[^/]+(\/versions\/[^/]+)?$/.test(apiTokenSecret)
  ) {
    problems.push('JIRA_API_TOKEN_SECRET must look like projects/P/secrets/NAME[/versions/V]');
  }
  const projectKey = isJira ? required('JIRA_PROJECT_KEY') : (get('JIRA_PROJECT_KEY') ?? '');
  if (isJira && projectKey && !/^[A-Z][A-Z0-9_]+$/.test(projectKey))
    problems.push('JIRA_PROJECT_KEY must be a Jira project key such as SUP');
  const googleCaseField = get('JIRA_GOOGLE_CASE_FIELD') ?? null;
  if (isJira && googleCaseField && !/^customfield_\d+$/.test(googleCaseField))
    problems.push('JIRA_GOOGLE_CASE_FIELD must look like customfield_10050');
  let priorityNames: JiraPriorityNames = parseJiraPriorityMap(DEFAULT_JIRA_PRIORITY_MAP);
  try {
    priorityNames = parseJiraPriorityMap(get('JIRA_PRIORITY_MAP') ?? DEFAULT_JIRA_PRIORITY_MAP);
  } catch (e) {
    if (isJira) problems.push(`JIRA_PRIORITY_MAP: ${(e as Error).message}`);
  }
  const syncJql = get('JIRA_SYNC_JQL') ?? DEFAULT_SYNC_JQL;

  const settings: SyncSettings = {
    supportParent,
    supportCaseParent,
    supportClassificationId: get('SUPPORT_CLASSIFICATION_ID') ?? null,
    supportTestCases: bool('SUPPORT_TEST_CASES'),
    googlePollingWindowMs: duration('GOOGLE_POLLING_WINDOW', 'PT30M'),
    companyPollingWindowMs: duration('COMPANY_POLLING_WINDOW', 'PT5M'),
    ...(crm === 'servicenow'
      ? serviceNowCommentSettings(oneOf)
      : {
          googleCommentsVisibility: oneOf(
            `${prefix}_GOOGLE_COMMENTS_VISIBILITY`,
            ['internal', 'public'] as const,
            'internal',
          ),
          commentsToGoogle: oneOf(
            `${prefix}_COMMENTS_TO_GOOGLE`,
            ['all', 'public'] as const,
            'all',
          ),
        }),
    crmName: isJira ? 'Jira' : crm === 'servicenow' ? 'ServiceNow' : 'Zendesk',
    dryRun: bool('DRY_RUN'),
  };
  const config: Config = {
    port,
    onAppEngine,
    settings,
    google: { emulatorHost },
    jira: {
      baseUrl,
      email,
      apiToken,
      apiTokenSecret,
      projectKey,
      issueType: get('JIRA_ISSUE_TYPE') ?? 'Task',
      syncJql,
      syncLabel: get('JIRA_SYNC_LABEL') ?? DEFAULT_SYNC_LABEL,
      googleCaseField,
      priorityNames,
      doneTransition: get('JIRA_DONE_TRANSITION') ?? null,
    },
    crm,
    zendesk,
    servicenow,
    ignoredVariables,
    warnings,
    store: oneOf('STORE', ['datastore', 'memory'] as const, 'datastore'),
    log: {
      level: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      format: oneOf('LOG_FORMAT', ['json', 'pretty'] as const, onAppEngine ? 'json' : 'pretty'),
    },
    taskQueue: oneOf(
      'TASK_QUEUE',
      ['cloud-tasks', 'local'] as const,
      onAppEngine ? 'cloud-tasks' : 'local',
    ),
    scheduler: oneOf('SCHEDULER', ['local', 'off'] as const, onAppEngine ? 'off' : 'local'),
    cloudTasks: {
      project: get('GOOGLE_CLOUD_PROJECT') ?? null,
      location: get('CLOUD_TASKS_LOCATION') ?? 'us-central1',
      queue: get('CLOUD_TASKS_QUEUE') ?? 'sync',
    },
    adminPage: oneOf('ADMIN_PAGE', ['off', 'local'] as const, 'off'),
    webhooks: webhookConfig(get, problems, crm),
  };
  if (config.adminPage === 'local' && onAppEngine)
    problems.push('ADMIN_PAGE=local has no IAP and is refused on App Engine (deploy admin.yaml)');
  if (config.taskQueue === 'cloud-tasks' && !config.cloudTasks.project)
    problems.push('GOOGLE_CLOUD_PROJECT is required with TASK_QUEUE=cloud-tasks');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
