// The CRMs' own variables (SPEC §6.1 ZENDESK_*, §6.2 SERVICENOW_*), validated by
// loadConfig (../config.ts) when that CRM is chosen; problems go to its one list.
import type { SyncSettings } from '../domain/settings';
import { DEFAULT_ZENDESK_SYNC_TAG } from '../domain/settings';
import {
  DEFAULT_SERVICENOW_PRIORITY_MAPS,
  parseServiceNowPriorityMap,
  SERVICENOW_TABLES,
  type ServiceNowPriorityMap,
  type ServiceNowTable,
} from '../domain/servicenow-priority';
import { DEFAULT_SERVICENOW_SYNC_QUERY, syncQueryProblems } from '../domain/servicenow-query';
import {
  DEFAULT_ZENDESK_PRIORITY_MAP,
  parseZendeskPriorityMap,
  type ZendeskPriorityMap,
} from '../domain/zendesk-priority';
import { SECRET_NAME } from './webhook-config';

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

/** The ZENDESK_* variables (SPEC §6.1); problems go to the one list of loadConfig. */
export function zendeskConfig(
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

/**
 * SERVICENOW_GOOGLE_COMMENTS_AS (work_notes: internal, comments: customer-visible) and
 * SERVICENOW_COMMENTS_TO_GOOGLE (all: comments and work notes, comments: comments only),
 * in the settings' terms.
 */
export function serviceNowCommentSettings(
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
export function serviceNowConfig(
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
