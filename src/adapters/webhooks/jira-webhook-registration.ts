// Registers the connector's Jira admin webhook (`npm run doctor -- --register-webhooks=URL`)
// through Jira's admin webhook REST API, `/rest/webhooks/1.0/webhook` (GET lists, POST
// creates, PUT …/{id} replaces). Only admin webhooks are signed with a secret
// (X-Hub-Signature); the platform v3 `/rest/api/3/webhook` is for Connect and OAuth apps
// only and filters by a JQL subset without `labels`, so it cannot carry JIRA_SYNC_JQL. The
// admin API is not in the platform OpenAPI: its shape follows Atlassian's webhook guide.
import { JIRA_WEBHOOK_EVENTS } from './jira-webhook';

export interface JiraWebhookRegistration {
  readonly baseUrl: string;
  /** An administrator's account (admin webhooks need the Administer Jira permission). */
  readonly email: string;
  readonly apiToken: string;
  /** Where Jira posts: `https://…/webhooks/jira`. */
  readonly url: string;
  /** The sync JQL (JIRA_SYNC_JQL): events of other issues are not sent. */
  readonly jql: string;
  readonly secret: string;
  readonly name?: string;
}

export type RegistrationResult =
  | { readonly ok: true; readonly action: 'created' | 'updated'; readonly id: string }
  | { readonly ok: false; readonly status: number | null; readonly detail: string };

const PATH = '/rest/webhooks/1.0/webhook';
export const JIRA_WEBHOOK_NAME = 'Google Cloud Support sync';

interface ListedWebhook {
  readonly self?: unknown;
  readonly url?: unknown;
  readonly name?: unknown;
}

/** Creates the webhook, or replaces the one already registered for `url` (never two). */
export async function registerJiraWebhook(r: JiraWebhookRegistration): Promise<RegistrationResult> {
  const base = r.baseUrl.replace(/\/+$/, '');
  const headers = {
    authorization: `Basic ${Buffer.from(`${r.email}:${r.apiToken}`).toString('base64')}`,
    accept: 'application/json',
    'content-type': 'application/json',
  };
  const body = JSON.stringify({
    name: r.name ?? JIRA_WEBHOOK_NAME,
    url: r.url,
    events: JIRA_WEBHOOK_EVENTS,
    filters: { 'issue-related-events-section': r.jql },
    excludeBody: false,
    secret: r.secret,
  });
  try {
    const listed = await fetch(`${base}${PATH}`, { headers, signal: AbortSignal.timeout(15_000) });
    if (!listed.ok) return refused(listed.status, 'listing the webhooks');
    const all = (await listed.json().catch(() => [])) as unknown;
    const existing = (Array.isArray(all) ? (all as ListedWebhook[]) : []).find(
      (w) => w.url === r.url,
    );
    const id = existing === undefined ? undefined : idOf(existing.self);
    const res = await fetch(id === undefined ? `${base}${PATH}` : `${base}${PATH}/${id}`, {
      method: id === undefined ? 'POST' : 'PUT',
      headers,
      body,
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) return refused(res.status, id === undefined ? 'creating it' : 'updating it');
    const saved = (await res.json().catch(() => ({}))) as ListedWebhook;
    return {
      ok: true,
      action: id === undefined ? 'created' : 'updated',
      id: idOf(saved.self) ?? id ?? '?',
    };
  } catch (e) {
    return {
      ok: false,
      status: null,
      detail: `no answer (${e instanceof Error ? e.name : 'error'})`,
    };
  }
}

/** The id at the end of a webhook's `self` URL. */
function idOf(self: unknown): string | undefined {
  return typeof self === 'string' ? /\/(\d+)\/?$/.exec(self)?.[1] : undefined;
}

function refused(status: number, doing: string): RegistrationResult {
  const why =
    status === 401 || status === 403
      ? 'the account is not a Jira administrator (admin webhooks need Administer Jira)'
      : `HTTP ${status}`;
  return { ok: false, status, detail: `Jira refused ${doing}: ${why}` };
}
