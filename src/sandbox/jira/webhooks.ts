// Jira's admin webhooks: the REST API that registers them (/rest/webhooks/1.0/webhook: GET
// lists, POST creates, GET/PUT/DELETE …/{id}; Administer Jira needed) and their delivery.
// That API is not in the platform OpenAPI; its shape follows Atlassian's webhook guide
// ("Registering a webhook using the Jira REST API": name, url, events, filters with
// `issue-related-events-section` JQL, excludeBody; and the secret of admin webhooks).
//
// Delivery, on every change the state makes (API and person alike, the connector's own
// included, as Jira does: the receiver tells its own changes apart by the `user`):
// - issue created → `jira:issue_created`; fields edited or transitioned →
//   `jira:issue_updated` (`issue_event_type_name` issue_updated, with a changelog);
// - comment added → `comment_created` and `jira:issue_updated` (issue_commented), both
//   with the comment; attachment added → `attachment_created` (the attachment, no issue)
//   and `jira:issue_updated` (a changelog item for Attachment).
//   The simulator has no comment edit, so `comment_updated` is accepted at registration
//   but never sent.
// - only to enabled webhooks subscribed to the event whose JQL filter matches the issue as
//   it is now (the simulator's full JQL: labels, project, status, …; an invalid filter is
//   refused at registration with Jira's JQL message). URL variables (`${issue.key}`) are
//   not substituted.
// - POST, JSON body `{timestamp, webhookEvent, issue_event_type_name?, user, issue,
//   comment?, attachment?, changelog?}` (empty with excludeBody), `X-Hub-Signature:
//   sha256=HMAC-SHA256(secret, raw body)` when the webhook has a secret, and
//   `X-Atlassian-Webhook-Identifier` (the same on retries).
// - asynchronously, and retried as Jira Cloud does ("Webhooks" → Retry policy): on 408,
//   409, 425, 429 and 5xx answers and on failed or timed-out connections, up to 5 times,
//   with `X-Atlassian-Webhook-Retry: N`. Jira spreads its retries over up to ~30 minutes;
//   the simulator's delays are short and configurable (`webhookRetryDelaysMs`).
import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { JiraRoutesOptions } from './app';
import type { SimContext } from './context';
import { compileJql } from './jql-compiler';
import { JqlError } from './jql-parser';
import { renderer, type Renderer } from './render';
import type { SimHandler } from './route-table';
import type { JiraChange } from './state';
import { SimError, type IssueFields } from './state-model';
import { WebhookDeliverer, type DeliveryRecord, type RetryPolicy } from './webhook-delivery';

const PATH = '/rest/webhooks/1.0/webhook';
const FILTER = 'issue-related-events-section';

/** The events an admin webhook may subscribe to (those the simulator sends, and a few more). */
export const JIRA_SIM_WEBHOOK_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
  'attachment_created',
  'attachment_deleted',
] as const;

/** Jira Cloud's retry policy: which answers are retried. */
const RETRIED = new Set([408, 409, 425, 429]);
export const JIRA_WEBHOOK_MAX_RETRIES = 5;
const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16000];

export interface RegisteredJiraWebhook {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly filters: Readonly<Record<string, string>>;
  readonly excludeBody: boolean;
  /** Kept by the simulator, never listed by its API. */
  readonly secret: string | null;
  readonly enabled: boolean;
}

export interface JiraWebhookOptions {
  /** Delay before each retry (index = retries made so far); the last repeats. */
  readonly retryDelaysMs?: readonly number[];
  /** Per-attempt timeout. Default 10 s. */
  readonly timeoutMs?: number;
}

interface Record_ extends RegisteredJiraWebhook {
  lastUpdated: number;
  lastUpdatedUser: string;
}

export class JiraWebhooks {
  private readonly hooks = new Map<string, Record_>();
  private nextId = 1;
  private readonly deliverer: WebhookDeliverer;
  private readonly render: Renderer;

  constructor(
    private readonly ctx: SimContext,
    opts: JiraWebhookOptions = {},
  ) {
    const delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const policy: RetryPolicy = ({ status, retries }) => {
      const retried = status === null || RETRIED.has(status) || status >= 500;
      if (!retried || retries >= JIRA_WEBHOOK_MAX_RETRIES) return null;
      return delays[Math.min(retries, delays.length - 1)] ?? 1000;
    };
    this.deliverer = new WebhookDeliverer({ policy, timeoutMs: opts.timeoutMs ?? 10_000 });
    this.render = renderer(ctx);
    ctx.state.onChange((c) => this.changed(c));
  }

  list(): RegisteredJiraWebhook[] {
    return [...this.hooks.values()].map(({ lastUpdated: _l, lastUpdatedUser: _u, ...w }) => w);
  }

  deliveries(): readonly DeliveryRecord[] {
    return this.deliverer.deliveries();
  }

  idle(): Promise<void> {
    return this.deliverer.idle();
  }

  close(): void {
    this.deliverer.close();
  }

  // --- the REST API ----------------------------------------------------------------------

  private view(w: Record_): Record<string, unknown> {
    const user = this.ctx.state.user(w.lastUpdatedUser);
    return {
      self: `${this.ctx.base}${PATH}/${w.id}`,
      name: w.name,
      url: w.url,
      events: [...w.events],
      filters: { ...w.filters },
      excludeBody: w.excludeBody,
      enabled: w.enabled,
      lastUpdatedUser: user.accountId,
      lastUpdatedDisplayName: user.displayName,
      lastUpdated: w.lastUpdated,
    };
  }

  private parse(body: unknown, id: string): Record_ {
    const errors: string[] = [];
    const rec =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : undefined;
    if (rec === undefined) throw new SimError(400, ['The webhook must be a JSON object.']);
    const str = (k: string): string | undefined =>
      typeof rec[k] === 'string' && (rec[k] as string).trim() !== ''
        ? (rec[k] as string)
        : undefined;
    const name = str('name');
    if (name === undefined) errors.push('The webhook name is required.');
    const url = str('url');
    let okUrl = false;
    try {
      okUrl = url !== undefined && ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      okUrl = false;
    }
    if (!okUrl) errors.push('The webhook URL must be a valid http(s) URL.');
    const events = rec['events'];
    const known = JIRA_SIM_WEBHOOK_EVENTS as readonly string[];
    if (!Array.isArray(events) || events.some((e) => typeof e !== 'string' || !known.includes(e)))
      errors.push(`Events must be a list of: ${known.join(', ')}.`);
    const filters = rec['filters'] ?? {};
    let jql = '';
    if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) {
      errors.push('Filters must be an object.');
    } else {
      const f = (filters as Record<string, unknown>)[FILTER];
      if (f !== undefined && typeof f !== 'string') errors.push(`${FILTER} must be a JQL string.`);
      jql = typeof f === 'string' ? f : '';
    }
    if (jql.trim() !== '') {
      try {
        compileJql(jql, this.ctx.state.jqlSite());
      } catch (e) {
        if (!(e instanceof JqlError)) throw e;
        errors.push(`Invalid JQL filter: ${e.message}`);
      }
    }
    const bool = (k: string, dflt: boolean): boolean => {
      const v = rec[k];
      if (v === undefined) return dflt;
      if (typeof v !== 'boolean') errors.push(`${k} must be true or false.`);
      return v === true;
    };
    const excludeBody = bool('excludeBody', false);
    const enabled = bool('enabled', true);
    const secret = rec['secret'];
    if (secret !== undefined && secret !== null && typeof secret !== 'string')
      errors.push('The secret must be a string.');
    if (errors.length > 0) throw new SimError(400, errors);
    return {
      id,
      name: name as string,
      url: url as string,
      events: [...new Set(events as string[])],
      filters: jql === '' ? {} : { [FILTER]: jql },
      excludeBody,
      enabled,
      secret: typeof secret === 'string' && secret !== '' ? secret : null,
      lastUpdated: this.ctx.state.nowMs(),
      lastUpdatedUser: this.ctx.apiUser.accountId,
    };
  }

  private found(id: string | undefined): Record_ {
    const w = id === undefined ? undefined : this.hooks.get(id);
    if (w === undefined) throw new SimError(404, ['Webhook not found.']);
    return w;
  }

  routes(): SimRouteSpec[] {
    const admin = (): void => {
      if (!this.ctx.apiUserIsAdmin)
        throw new SimError(403, ['You do not have the permission to manage webhooks.']);
    };
    const listAll: SimHandler = () => {
      admin();
      return { status: 200, json: [...this.hooks.values()].map((w) => this.view(w)) };
    };
    const create: SimHandler = ({ body }) => {
      admin();
      const w = this.parse(body, String(this.nextId));
      this.nextId += 1;
      this.hooks.set(w.id, w);
      return { status: 201, json: this.view(w) };
    };
    const show: SimHandler = ({ params }) => {
      admin();
      return { status: 200, json: this.view(this.found(params['id'])) };
    };
    const replace: SimHandler = ({ params, body }) => {
      admin();
      const old = this.found(params['id']);
      const w = this.parse(body, old.id);
      this.hooks.set(w.id, w);
      return { status: 200, json: this.view(w) };
    };
    const remove: SimHandler = ({ params }) => {
      admin();
      this.hooks.delete(this.found(params['id']).id);
      return { status: 204 };
    };
    return [
      { method: 'GET', template: PATH, handler: listAll },
      { method: 'POST', template: PATH, handler: create },
      { method: 'GET', template: `${PATH}/{id}`, handler: show },
      { method: 'PUT', template: `${PATH}/{id}`, handler: replace },
      { method: 'DELETE', template: `${PATH}/{id}`, handler: remove },
    ];
  }

  // --- delivery --------------------------------------------------------------------------

  private changed(c: JiraChange): void {
    const hooks = [...this.hooks.values()].filter((w) => w.enabled);
    if (hooks.length === 0) return;
    const { state } = this.ctx;
    const r = this.render;
    const user = r.userJson(state.user(c.actorId));
    const issue = r.issueJson(c.issue, c.issue.fields, () => true, null);
    const timestamp = state.nowMs();
    const events: Array<{ name: string; body: Record<string, unknown> }> = [];
    const updated = (type: string, extra: Record<string, unknown>) =>
      events.push({
        name: 'jira:issue_updated',
        body: { issue_event_type_name: type, user, issue, ...extra },
      });
    if (c.kind === 'created') {
      events.push({
        name: 'jira:issue_created',
        body: { issue_event_type_name: 'issue_created', user, issue },
      });
    } else if (c.kind === 'updated') {
      updated('issue_updated', { changelog: changelog(c.before, c.issue.fields) });
    } else if (c.kind === 'commented' && c.comment) {
      const comment = r.commentJson(c.comment, false);
      events.push({ name: 'comment_created', body: { comment, issue } });
      updated('issue_commented', { comment });
    } else if (c.kind === 'attached' && c.attachment) {
      const attachment = r.attachmentJson(c.attachment);
      events.push({ name: 'attachment_created', body: { attachment } });
      updated('issue_updated', {
        changelog: {
          id: randomUUID(),
          items: [
            {
              field: 'Attachment',
              fieldtype: 'jira',
              from: null,
              fromString: null,
              to: c.attachment.id,
              toString: c.attachment.filename,
            },
          ],
        },
      });
    }
    const view = state.jqlView(c.issue, c.issue.fields);
    for (const w of hooks) {
      const jql = w.filters[FILTER] ?? '';
      let matches = true;
      if (jql.trim() !== '') {
        try {
          matches = compileJql(jql, state.jqlSite()).matches(view);
        } catch {
          matches = false; // a filter that no longer compiles (a project removed) matches nothing
        }
      }
      if (!matches) continue;
      for (const e of events) {
        if (!w.events.includes(e.name)) continue;
        const id = randomUUID();
        const raw = w.excludeBody
          ? ''
          : JSON.stringify({ timestamp, webhookEvent: e.name, ...e.body });
        const headers: Record<string, string> = {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Atlassian Webhook HTTP Client',
          'x-atlassian-webhook-identifier': id,
          ...(w.secret !== null
            ? {
                'x-hub-signature': `sha256=${createHmac('sha256', w.secret).update(raw).digest('hex')}`,
              }
            : {}),
        };
        this.deliverer.send(id, e.name, {
          url: w.url,
          method: 'POST',
          headers,
          body: raw,
          headersFor: (attempt): Record<string, string> =>
            attempt > 1 ? { 'x-atlassian-webhook-retry': String(attempt - 1) } : {},
        });
      }
    }
  }
}

type SimRouteSpec = Parameters<JiraRoutesOptions['pipeline']['route']>[1];

function changelog(before: IssueFields | undefined, after: IssueFields): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  const simple: Array<[keyof IssueFields, string]> = [
    ['summary', 'summary'],
    ['priority', 'priority'],
    ['status', 'status'],
    ['key', 'Key'],
  ];
  for (const [k, field] of simple) {
    if (before !== undefined && before[k] !== after[k])
      items.push({
        field,
        fieldtype: 'jira',
        from: null,
        fromString: String(before[k]),
        to: null,
        toString: String(after[k]),
      });
  }
  if (before !== undefined && before.labels.join(' ') !== after.labels.join(' '))
    items.push({
      field: 'labels',
      fieldtype: 'jira',
      from: null,
      fromString: before.labels.join(' '),
      to: null,
      toString: after.labels.join(' '),
    });
  return { id: randomUUID(), items };
}

/** The webhook API as a route plugin (registered with the other API areas). */
export async function webhookRoutes(
  app: FastifyInstance,
  { ctx, pipeline }: JiraRoutesOptions,
): Promise<void> {
  for (const r of ctx.webhooks.routes()) pipeline.route(app, r);
}
