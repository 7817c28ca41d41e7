// The push paths' variables (README "Push"), validated by loadConfig (../config.ts);
// problems go to its one list.
import { parseIsoDurationMs } from '../domain/durations';
import type { CrmName } from '../config';

export const SECRET_NAME = /^projects\/[^/]+\/secrets\/[^/]+(\/versions\/[^/]+)?$/;

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

const SERVICE_ACCOUNT = /^[a-z0-9][-a-z0-9.]*@[a-z0-9][-a-z0-9.]*\.gserviceaccount\.com$/;
const MIN_SECRET_LENGTH = 16;

/** The push paths' variables (README "Push"); problems go to the one list of loadConfig. */
export function webhookConfig(
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
