import {
  DEFAULT_JIRA_PRIORITY_MAP,
  parseJiraPriorityMap,
  type JiraPriorityNames,
} from './domain/priority';
import { parseIsoDurationMs } from './domain/durations';
import {
  DEFAULT_SYNC_JQL,
  DEFAULT_SYNC_LABEL,
  DEFAULT_ZENDESK_SYNC_TAG,
  type SyncSettings,
} from './domain/settings';
import {
  DEFAULT_SERVICENOW_PRIORITY_MAPS,
  parseServiceNowPriorityMap,
  SERVICENOW_TABLES,
  type ServiceNowPriorityMap,
  type ServiceNowTable,
} from './domain/servicenow-priority';
import { DEFAULT_SERVICENOW_SYNC_QUERY, syncQueryProblems } from './domain/servicenow-query';
import {
  DEFAULT_ZENDESK_PRIORITY_MAP,
  parseZendeskPriorityMap,
  type ZendeskPriorityMap,
} from './domain/zendesk-priority';

export const CRMS = ['jira', 'zendesk', 'servicenow'] as const;
export type CrmName = (typeof CRMS)[number];

/** ZENDESK_* (SPEC §6.1), validated when CRM=zendesk. */
export interface ZendeskConfig {
  readonly baseUrl: string;
  /** OAuth client credentials (preferred); the secret may come from Secret Manager. */
  readonly oauth: {
    readonly clientId: string;
    readonly clientSecret: string | null;
    readonly clientSecretSecret: string | null;
  } | null;
  /** Legacy API-token basic auth (deactivated by Zendesk on 2027-04-30). */
  readonly apiToken: {
    readonly email: string;
    readonly token: string | null;
    readonly tokenSecret: string | null;
  } | null;
  readonly syncTag: string;
  readonly priorities: ZendeskPriorityMap;
  readonly groupId: number | null;
}

/** SERVICENOW_* (SPEC §6.2), validated when CRM=servicenow. */
export interface ServiceNowConfig {
  readonly instanceUrl: string;
  readonly table: ServiceNowTable;
  /** Basic auth of the integration user; the password may come from Secret Manager. */
  readonly basic: {
    readonly user: string;
    readonly password: string | null;
    readonly passwordSecret: string | null;
  } | null;
  /** OAuth client credentials at /oauth_token.do; the secret may come from Secret Manager. */
  readonly oauth: {
    readonly clientId: string;
    readonly clientSecret: string | null;
    readonly clientSecretSecret: string | null;
  } | null;
  readonly syncQuery: string;
  readonly priorities: ServiceNowPriorityMap;
  /** sys_id of the group of records created from Google cases. */
  readonly assignmentGroup: string | null;
}

const SECRET_NAME = /^projects\/[^/]+\/secrets\/[^/]+(\/versions\/[^/]+)?$/;

/** A secret given in the environment (sandbox, tests) or named in Secret Manager. */
export interface SecretRef {
  readonly value: string | null;
  /** `projects/P/secrets/NAME[/versions/V]` when the value is to be read from Secret Manager. */
  readonly secretName: string | null;
}

/**
 * The push paths (README "Push"), each on when its variables are set: a pushed event only
 * enqueues a sync; the polls stay the truth.
 */
export interface WebhookConfig {
  /** POST /webhooks/jira (CRM=jira): the admin webhook's secret. */
  readonly jira: SecretRef | null;
  /** POST /webhooks/zendesk (CRM=zendesk): the webhook's signing secret. */
  readonly zendesk: SecretRef | null;
  /** POST /webhooks/google: the Pub/Sub push subscription's OIDC audience and service account. */
  readonly google: { readonly audience: string; readonly serviceAccount: string } | null;
  /** Pushed syncs of one ticket or case: at most two per window (tasks/push-sync.ts). */
  readonly coalesceWindowMs: number;
}

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

/** The ZENDESK_* variables (SPEC §6.1); problems go to the one list of loadConfig. */
function zendeskConfig(
  get: (k: string) => string | undefined,
  required: (k: string, why?: string) => string,
  problems: string[],
  warnings: string[],
  onAppEngine: boolean,
): ZendeskConfig {
  const baseUrl = required('ZENDESK_BASE_URL');
  if (baseUrl) {
    try {
      const u = new URL(baseUrl);
      if (!['http:', 'https:'].includes(u.protocol)) throw new Error();
      if (onAppEngine && u.protocol !== 'https:')
        problems.push('ZENDESK_BASE_URL must use https on App Engine');
    } catch {
      problems.push('ZENDESK_BASE_URL must be an http(s) URL');
    }
  }
  const secretName = (k: string): string | null => {
    const v = get(k) ?? null;
    if (v !== null && !SECRET_NAME.test(v))
      problems.push(`${k} must look like projects/P/secrets/NAME[/versions/V]`);
    return v;
  };
  const clientId = get('ZENDESK_OAUTH_CLIENT_ID');
  const clientSecret = get('ZENDESK_OAUTH_CLIENT_SECRET') ?? null;
  const clientSecretSecret = secretName('ZENDESK_OAUTH_CLIENT_SECRET_SECRET');
  const email = get('ZENDESK_EMAIL');
  const token = get('ZENDESK_API_TOKEN') ?? null;
  const tokenSecret = secretName('ZENDESK_API_TOKEN_SECRET');
  let oauth: ZendeskConfig['oauth'] = null;
  let apiToken: ZendeskConfig['apiToken'] = null;
  const oauthAny = clientId !== undefined || clientSecret !== null || clientSecretSecret !== null;
  const tokenAny = email !== undefined || token !== null || tokenSecret !== null;
  if (oauthAny) {
    if (clientId === undefined)
      problems.push('ZENDESK_OAUTH_CLIENT_ID is required with an OAuth client secret');
    if (clientSecret === null && clientSecretSecret === null)
      problems.push(
        'ZENDESK_OAUTH_CLIENT_SECRET or ZENDESK_OAUTH_CLIENT_SECRET_SECRET is required with ZENDESK_OAUTH_CLIENT_ID',
      );
    oauth = { clientId: clientId ?? '', clientSecret, clientSecretSecret };
  } else if (tokenAny) {
    if (email === undefined) problems.push('ZENDESK_EMAIL is required with a Zendesk API token');
    if (token === null && tokenSecret === null)
      problems.push('ZENDESK_API_TOKEN or ZENDESK_API_TOKEN_SECRET is required with ZENDESK_EMAIL');
    apiToken = { email: email ?? '', token, tokenSecret };
    warnings.push(
      'Zendesk legacy API-token auth: Zendesk deactivates every API token on 2027-04-30; switch to ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET',
    );
  } else {
    problems.push(
      'Zendesk auth is required: ZENDESK_OAUTH_CLIENT_ID with ZENDESK_OAUTH_CLIENT_SECRET (or _SECRET_SECRET), or ZENDESK_EMAIL with ZENDESK_API_TOKEN (or _API_TOKEN_SECRET)',
    );
  }
  const syncTag = get('ZENDESK_SYNC_TAG') ?? DEFAULT_ZENDESK_SYNC_TAG;
  if (!/^[a-z0-9_\-/:.]+$/.test(syncTag))
    problems.push(
      'ZENDESK_SYNC_TAG must be a lowercase Zendesk tag (letters, digits, - and _; no spaces)',
    );
  let priorities = parseZendeskPriorityMap(DEFAULT_ZENDESK_PRIORITY_MAP);
  try {
    priorities = parseZendeskPriorityMap(
      get('ZENDESK_PRIORITY_MAP') ?? DEFAULT_ZENDESK_PRIORITY_MAP,
    );
  } catch (e) {
    problems.push(`ZENDESK_PRIORITY_MAP: ${(e as Error).message}`);
  }
  const groupRaw = get('ZENDESK_GROUP_ID');
  const groupId = groupRaw === undefined ? null : Number(groupRaw);
  if (groupId !== null && (!Number.isSafeInteger(groupId) || groupId <= 0))
    problems.push('ZENDESK_GROUP_ID must be a positive integer (a Zendesk group id)');
  return { baseUrl, oauth, apiToken, syncTag, priorities, groupId };
}

const SERVICE_ACCOUNT = /^[a-z0-9][-a-z0-9.]*@[a-z0-9][-a-z0-9.]*\.gserviceaccount\.com$/;
const MIN_SECRET_LENGTH = 16;

/** The push paths' variables (README "Push"); problems go to the one list of loadConfig. */
function webhookConfig(
  get: (k: string) => string | undefined,
  problems: string[],
  crm: CrmName,
): WebhookConfig {
  const secret = (k: string): SecretRef | null => {
    const value = get(k) ?? null;
    const secretName = get(`${k}_SECRET`) ?? null;
    if (value !== null && secretName !== null)
      problems.push(`${k} and ${k}_SECRET are both set: set one of them`);
    if (value !== null && value.length < MIN_SECRET_LENGTH)
      problems.push(`${k} must be at least ${MIN_SECRET_LENGTH} characters`);
    if (secretName !== null && !SECRET_NAME.test(secretName))
      problems.push(`${k}_SECRET must look like projects/P/secrets/NAME[/versions/V]`);
    return value === null && secretName === null ? null : { value, secretName };
  };
  // The other CRM's variables are named as ignored by loadConfig (their prefix).
  const jira = crm === 'jira' ? secret('JIRA_WEBHOOK_SECRET') : null;
  const zendesk = crm === 'zendesk' ? secret('ZENDESK_WEBHOOK_SECRET') : null;

  const audience = get('GOOGLE_PUSH_AUDIENCE');
  const serviceAccount = get('GOOGLE_PUSH_SERVICE_ACCOUNT');
  let google: WebhookConfig['google'] = null;
  if (audience !== undefined || serviceAccount !== undefined) {
    if (audience === undefined)
      problems.push('GOOGLE_PUSH_AUDIENCE is required with GOOGLE_PUSH_SERVICE_ACCOUNT');
    if (serviceAccount === undefined)
      problems.push('GOOGLE_PUSH_SERVICE_ACCOUNT is required with GOOGLE_PUSH_AUDIENCE');
    else if (!SERVICE_ACCOUNT.test(serviceAccount))
      problems.push(
        'GOOGLE_PUSH_SERVICE_ACCOUNT must be a service account email (NAME@PROJECT.iam.gserviceaccount.com)',
      );
    google = { audience: audience ?? '', serviceAccount: serviceAccount ?? '' };
  }

  let coalesceWindowMs = 10_000;
  const windowRaw = get('PUSH_COALESCE_WINDOW');
  if (windowRaw !== undefined) {
    try {
      coalesceWindowMs = parseIsoDurationMs(windowRaw);
      if (coalesceWindowMs < 1000 || coalesceWindowMs > 10 * 60 * 1000)
        problems.push('PUSH_COALESCE_WINDOW must be between PT1S and PT10M');
    } catch (e) {
      problems.push(`PUSH_COALESCE_WINDOW: ${(e as Error).message}`);
    }
  }
  return { jira, zendesk, google, coalesceWindowMs };
}

/**
 * SERVICENOW_GOOGLE_COMMENTS_AS (work_notes: internal, comments: customer-visible) and
 * SERVICENOW_COMMENTS_TO_GOOGLE (all: comments and work notes, comments: comments only),
 * in the settings' terms.
 */
function serviceNowCommentSettings(
  oneOf: <T extends string>(k: string, allowed: readonly T[], dflt: T) => T,
): Pick<SyncSettings, 'googleCommentsVisibility' | 'commentsToGoogle'> {
  const as = oneOf(
    'SERVICENOW_GOOGLE_COMMENTS_AS',
    ['work_notes', 'comments'] as const,
    'work_notes',
  );
  const to = oneOf('SERVICENOW_COMMENTS_TO_GOOGLE', ['all', 'comments'] as const, 'all');
  return {
    googleCommentsVisibility: as === 'comments' ? 'public' : 'internal',
    commentsToGoogle: to === 'comments' ? 'public' : 'all',
  };
}

/** The SERVICENOW_* variables (SPEC §6.2); problems go to the one list of loadConfig. */
function serviceNowConfig(
  get: (k: string) => string | undefined,
  required: (k: string, why?: string) => string,
  problems: string[],
  onAppEngine: boolean,
): ServiceNowConfig {
  const instanceUrl = required('SERVICENOW_INSTANCE_URL');
  if (instanceUrl) {
    try {
      const u = new URL(instanceUrl);
      if (!['http:', 'https:'].includes(u.protocol)) throw new Error();
      if (onAppEngine && u.protocol !== 'https:')
        problems.push('SERVICENOW_INSTANCE_URL must use https on App Engine');
    } catch {
      problems.push('SERVICENOW_INSTANCE_URL must be an http(s) URL');
    }
  }
  const tableRaw = get('SERVICENOW_TABLE') ?? 'incident';
  const table = (SERVICENOW_TABLES as readonly string[]).includes(tableRaw)
    ? (tableRaw as ServiceNowTable)
    : 'incident';
  if (table !== tableRaw)
    problems.push(
      `SERVICENOW_TABLE must be one of ${SERVICENOW_TABLES.join(', ')} (got "${tableRaw}")`,
    );
  const secretName = (k: string): string | null => {
    const v = get(k) ?? null;
    if (v !== null && !SECRET_NAME.test(v))
      problems.push(`${k} must look like projects/P/secrets/NAME[/versions/V]`);
    return v;
  };
  const user = get('SERVICENOW_USER');
  const password = get('SERVICENOW_PASSWORD') ?? null;
  const passwordSecret = secretName('SERVICENOW_PASSWORD_SECRET');
  const clientId = get('SERVICENOW_OAUTH_CLIENT_ID');
  const clientSecret = get('SERVICENOW_OAUTH_CLIENT_SECRET') ?? null;
  const clientSecretSecret = secretName('SERVICENOW_OAUTH_CLIENT_SECRET_SECRET');
  let basic: ServiceNowConfig['basic'] = null;
  let oauth: ServiceNowConfig['oauth'] = null;
  const oauthAny = clientId !== undefined || clientSecret !== null || clientSecretSecret !== null;
  const basicAny = user !== undefined || password !== null || passwordSecret !== null;
  if (oauthAny) {
    if (clientId === undefined)
      problems.push('SERVICENOW_OAUTH_CLIENT_ID is required with an OAuth client secret');
    if (clientSecret === null && clientSecretSecret === null)
      problems.push(
        'SERVICENOW_OAUTH_CLIENT_SECRET or SERVICENOW_OAUTH_CLIENT_SECRET_SECRET is required with SERVICENOW_OAUTH_CLIENT_ID',
      );
    oauth = { clientId: clientId ?? '', clientSecret, clientSecretSecret };
  } else if (basicAny) {
    if (user === undefined) problems.push('SERVICENOW_USER is required with a password');
    if (password === null && passwordSecret === null)
      problems.push(
        'SERVICENOW_PASSWORD or SERVICENOW_PASSWORD_SECRET is required with SERVICENOW_USER',
      );
    basic = { user: user ?? '', password, passwordSecret };
  } else {
    problems.push(
      'ServiceNow auth is required: SERVICENOW_USER with SERVICENOW_PASSWORD (or _PASSWORD_SECRET), or SERVICENOW_OAUTH_CLIENT_ID with SERVICENOW_OAUTH_CLIENT_SECRET (or _SECRET_SECRET)',
    );
  }
  const syncQuery = get('SERVICENOW_SYNC_QUERY') ?? DEFAULT_SERVICENOW_SYNC_QUERY;
  for (const p of syncQueryProblems(syncQuery)) problems.push(`SERVICENOW_SYNC_QUERY ${p}`);
  let priorities = parseServiceNowPriorityMap(table, DEFAULT_SERVICENOW_PRIORITY_MAPS[table]);
  try {
    priorities = parseServiceNowPriorityMap(
      table,
      get('SERVICENOW_PRIORITY_MAP') ?? DEFAULT_SERVICENOW_PRIORITY_MAPS[table],
    );
  } catch (e) {
    problems.push(`SERVICENOW_PRIORITY_MAP: ${(e as Error).message}`);
  }
  const assignmentGroup = get('SERVICENOW_ASSIGNMENT_GROUP') ?? null;
  if (assignmentGroup !== null && !/^[0-9a-f]{32}$/.test(assignmentGroup))
    problems.push('SERVICENOW_ASSIGNMENT_GROUP must be a group sys_id (32 hexadecimal characters)');
  return { instanceUrl, table, basic, oauth, syncQuery, priorities, assignmentGroup };
}
