// Zendesk webhooks and the minimal trigger model that fires them.
//
// Webhooks (specs/zendesk-webhooks.openapi.yaml, served under /api/v2): create (POST
// /webhooks; cloning is not modelled), list (one page; `filter[name_contains]` and
// `filter[status]`), show, update (PUT) and patch (PATCH), delete, and the signing secret
// (GET shows it, POST resets it). Each webhook gets a random signing secret at creation.
// Authentication, custom headers, invocations and `POST /webhooks/test` are not modelled.
//
// Triggers (specs/zendesk-support.openapi.yaml, CreateTrigger and its siblings), modelled
// only as far as "ticket with the sync tag created or updated → notify a webhook" needs:
// - run once per ticket update, after it (the writes of one API request or person action
//   make one update, as one audit does), in position order, for active triggers;
// - conditions (`all` must hold, and one of `any` when given): `current_tags` includes /
//   not_includes (space-separated tags: any of them / none of them), `update_type` is
//   Create / Change, `status` is / is_not, `current_user` is / is_not (a user id, or
//   `current_user`… not modelled: ids only). Any other field or operator is refused (400).
// - actions: only `notification_webhook` [webhook id, body]; its body's placeholders
//   {{ticket.id}}, {{ticket.status}}, {{ticket.priority}}, {{ticket.tags}},
//   {{ticket.title}}, {{current_user.id}}, {{current_user.name}} are filled in (JSON-escaped;
//   others become empty), and it is sent to an active webhook subscribed to
//   `conditional_ticket_events`. Other actions are refused (400). Triggers changing the
//   ticket, and the loop guards that come with it, are not modelled.
//
// Delivery, as Zendesk's webhook docs describe it: a request signed with
// X-Zendesk-Webhook-Signature = base64(HMAC-SHA256(signing secret,
// X-Zendesk-Webhook-Signature-Timestamp + body)), with X-Zendesk-Webhook-Id and
// X-Zendesk-Webhook-Invocation-Id, asynchronously; a 409 is retried up to 3 times, a 429 or
// 503 with Retry-After of 60 s or less after that delay, a timeout (12 s) up to 5 times;
// other failures are not retried. (Delays are shortened by `webhookRetryDelayMs`; the
// circuit breaker is not modelled.)
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WebhookDeliverer, type DeliveryRecord } from '../jira/webhook-delivery';
import { route, type ZdRoutesOptions } from './app';
import type { SimContext } from './context';
import type { TicketRecord, ZdTicketChange } from './state';
import { asRecord } from './ticket-input';
import { zdDate, ZdError } from './wire';

type Json = Record<string, unknown>;

export interface ZdWebhook {
  readonly id: string;
  name: string;
  description: string | undefined;
  endpoint: string;
  httpMethod: string;
  requestFormat: string;
  status: 'active' | 'inactive';
  subscriptions: string[];
  secret: string;
  readonly createdAt: Date;
  updatedAt: Date;
}

interface Condition {
  readonly field: string;
  readonly operator: string;
  readonly value: string;
}

export interface ZdTrigger {
  readonly id: number;
  title: string;
  description: string | null;
  active: boolean;
  position: number;
  all: Condition[];
  any: Condition[];
  actions: Array<{ field: string; value: unknown }>;
  readonly createdAt: Date;
  updatedAt: Date;
}

const CONDITIONS: Record<string, readonly string[]> = {
  current_tags: ['includes', 'not_includes'],
  update_type: ['is'],
  status: ['is', 'is_not'],
  current_user: ['is', 'is_not'],
};
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const FORMATS = ['json', 'xml', 'form_encoded'];

export interface ZdWebhookOptions {
  /** Delay before a retry of a 409 or a timeout (Retry-After answers wait what they say, capped at this). */
  readonly retryDelayMs?: number;
  /** Per-attempt timeout. Default 12 s (Zendesk's). */
  readonly timeoutMs?: number;
}

/** The webhooks spec's error body. */
const webhookError = (status: number, code: string, message: string): ZdError =>
  new ZdError(status, { error: { title: code, message, code } });

export class ZendeskWebhooks {
  private readonly hooks = new Map<string, ZdWebhook>();
  private readonly triggers = new Map<number, ZdTrigger>();
  private nextTrigger = 360_000_000_001;
  private readonly deliverer: WebhookDeliverer;
  private pending = new Map<number, { created: boolean; actorId: number }>();
  private flushing = false;
  private readonly accountId = '10000001';

  constructor(
    private readonly ctx: SimContext,
    opts: ZdWebhookOptions = {},
  ) {
    const delay = opts.retryDelayMs ?? 1000;
    this.deliverer = new WebhookDeliverer({
      timeoutMs: opts.timeoutMs ?? 12_000,
      policy: ({ status, retries, retryAfter }) => {
        if (status === 409) return retries < 3 ? delay : null;
        if (status === 429 || status === 503)
          return retryAfter !== undefined && retryAfter <= 60 && retries < 3
            ? Math.min(retryAfter * 1000, delay)
            : null;
        if (status === null) return retries < 5 ? delay : null;
        return null;
      },
    });
    ctx.state.onChange((c) => this.changed(c));
  }

  list(): ZdWebhook[] {
    return [...this.hooks.values()];
  }

  listTriggers(): ZdTrigger[] {
    return [...this.triggers.values()];
  }

  deliveries(): readonly DeliveryRecord[] {
    return this.deliverer.deliveries();
  }

  /** Resolves once no trigger run or delivery is pending. */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.flushing) await new Promise((r) => setImmediate(r));
    await this.deliverer.idle();
  }

  close(): void {
    this.pending.clear();
    this.deliverer.close();
  }

  // --- webhooks API ----------------------------------------------------------------------

  webhookJson(w: ZdWebhook): Json {
    return {
      id: w.id,
      name: w.name,
      ...(w.description !== undefined ? { description: w.description } : {}),
      endpoint: w.endpoint,
      http_method: w.httpMethod,
      request_format: w.requestFormat,
      status: w.status,
      subscriptions: [...w.subscriptions],
      created_at: zdDate(w.createdAt),
      created_by: String(this.ctx.state.apiUser.id),
      updated_at: zdDate(w.updatedAt),
      updated_by: String(this.ctx.state.apiUser.id),
    };
  }

  private readWebhook(body: unknown, base: ZdWebhook | undefined, partial: boolean): ZdWebhook {
    const w = asRecord(asRecord(body)?.['webhook']);
    if (w === undefined) throw webhookError(400, 'InvalidInput', 'A webhook object is required.');
    const str = (k: string, allowed?: readonly string[]): string | undefined => {
      const v = w[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v === '' || (allowed && !allowed.includes(v)))
        throw webhookError(
          400,
          'InvalidInput',
          `${k} must be ${allowed ? `one of ${allowed.join(', ')}` : 'a non-empty string'}.`,
        );
      return v;
    };
    if ('signing_secret' in w && base !== undefined)
      throw webhookError(400, 'InvalidInput', 'signing_secret cannot be set on update.');
    const need = <T>(v: T | undefined, k: string, dflt: T | undefined): T => {
      const out = v ?? (partial ? dflt : undefined);
      if (out === undefined) throw webhookError(400, 'InvalidInput', `${k} is required.`);
      return out;
    };
    const endpoint = need(str('endpoint'), 'endpoint', base?.endpoint);
    try {
      if (!['http:', 'https:'].includes(new URL(endpoint).protocol)) throw new Error('scheme');
    } catch {
      throw webhookError(400, 'InvalidInput', 'endpoint must be an http(s) URL.');
    }
    const subs = w['subscriptions'];
    if (subs !== undefined && (!Array.isArray(subs) || subs.some((s) => typeof s !== 'string')))
      throw webhookError(400, 'InvalidInput', 'subscriptions must be a list of strings.');
    const now = this.ctx.state.now();
    const given = asRecord(w['signing_secret'])?.['secret'];
    return {
      id: base?.id ?? `01${randomBytes(12).toString('hex').toUpperCase()}`,
      name: need(str('name'), 'name', base?.name),
      description: typeof w['description'] === 'string' ? w['description'] : base?.description,
      endpoint,
      httpMethod: need(str('http_method', METHODS), 'http_method', base?.httpMethod),
      requestFormat: need(str('request_format', FORMATS), 'request_format', base?.requestFormat),
      status: need(str('status', ['active', 'inactive']), 'status', base?.status) as
        'active' | 'inactive',
      subscriptions: (subs as string[] | undefined) ?? base?.subscriptions ?? [],
      secret:
        base?.secret ?? (typeof given === 'string' && given !== '' ? given : newSigningSecret()),
      createdAt: base?.createdAt ?? now,
      updatedAt: now,
    };
  }

  private webhook(id: string | undefined): ZdWebhook {
    const w = id === undefined ? undefined : this.hooks.get(id);
    if (w === undefined) throw webhookError(404, 'RecordNotFound', 'Webhook not found.');
    return w;
  }

  // --- triggers API ----------------------------------------------------------------------

  triggerJson(t: ZdTrigger): Json {
    return {
      id: t.id,
      url: `${this.ctx.base}/api/v2/triggers/${t.id}.json`,
      title: t.title,
      raw_title: t.title,
      description: t.description ?? '',
      active: t.active,
      position: t.position,
      default: false,
      conditions: { all: t.all, any: t.any },
      actions: t.actions,
      category_id: '10026',
      created_at: zdDate(t.createdAt),
      updated_at: zdDate(t.updatedAt),
    };
  }

  private readTrigger(body: unknown, base: ZdTrigger | undefined): ZdTrigger {
    const t = asRecord(asRecord(body)?.['trigger']);
    const invalid = (m: string) =>
      new ZdError(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { base: [{ description: m }] },
      });
    if (t === undefined)
      throw new ZdError(400, { error: 'InvalidInput', description: 'trigger is required' });
    const title = typeof t['title'] === 'string' && t['title'] !== '' ? t['title'] : base?.title;
    if (title === undefined) throw invalid('Title: cannot be blank');
    const conds =
      asRecord(t['conditions']) ?? (base ? { all: base.all, any: base.any } : undefined);
    if (conds === undefined) throw invalid('Conditions: cannot be blank');
    const list = (v: unknown): Condition[] => {
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) throw invalid('Conditions must be lists');
      return v.map((c) => {
        const r = asRecord(c) ?? {};
        const field = String(r['field'] ?? '');
        const operator = String(r['operator'] ?? '');
        if (!(CONDITIONS[field] ?? []).includes(operator))
          throw invalid(
            `Condition ${field} ${operator} is not modelled by the simulator (modelled: ${Object.entries(
              CONDITIONS,
            )
              .map(([f, ops]) => `${f} ${ops.join('/')}`)
              .join(', ')})`,
          );
        return { field, operator, value: String(r['value'] ?? '') };
      });
    };
    const all = list(conds['all']);
    const any = list(conds['any']);
    const actionsRaw = t['actions'] ?? base?.actions;
    if (!Array.isArray(actionsRaw) || actionsRaw.length === 0)
      throw invalid('Actions: cannot be blank');
    const actions = actionsRaw.map((a) => {
      const r = asRecord(a) ?? {};
      if (r['field'] !== 'notification_webhook')
        throw invalid(
          `Action ${String(r['field'])} is not modelled by the simulator (only notification_webhook)`,
        );
      const v = r['value'];
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string')
        throw invalid('notification_webhook needs [webhook id, body]');
      const hook = this.hooks.get(v[0]);
      if (hook === undefined) throw invalid(`Webhook ${v[0]} does not exist`);
      if (!hook.subscriptions.includes('conditional_ticket_events'))
        throw invalid(`Webhook ${v[0]} is not subscribed to conditional_ticket_events`);
      return { field: 'notification_webhook', value: [v[0], v[1]] };
    });
    const now = this.ctx.state.now();
    return {
      id: base?.id ?? this.nextTrigger++,
      title,
      description:
        typeof t['description'] === 'string' ? t['description'] : (base?.description ?? null),
      active: typeof t['active'] === 'boolean' ? t['active'] : (base?.active ?? true),
      position:
        typeof t['position'] === 'number'
          ? t['position']
          : (base?.position ?? this.triggers.size + 1),
      all,
      any,
      actions,
      createdAt: base?.createdAt ?? now,
      updatedAt: now,
    };
  }

  private trigger(id: string | undefined): ZdTrigger {
    const t = this.triggers.get(Number(id));
    if (t === undefined)
      throw new ZdError(404, { error: 'RecordNotFound', description: 'Not found' });
    return t;
  }

  async routes(app: FastifyInstance): Promise<void> {
    const W = '/api/v2/webhooks';
    route(app, 'POST', W, ({ body, query }) => {
      if (query.get('clone_webhook_id') !== null)
        throw webhookError(
          400,
          'InvalidInput',
          'Cloning webhooks is not modelled by the simulator.',
        );
      const w = this.readWebhook(body, undefined, false);
      this.hooks.set(w.id, w);
      return { status: 201, json: { webhook: this.webhookJson(w) } };
    });
    route(app, 'GET', W, ({ query }) => {
      const name = query.get('filter[name_contains]');
      const status = query.get('filter[status]');
      const all = this.list().filter(
        (w) => (name === null || w.name.includes(name)) && (status === null || w.status === status),
      );
      return {
        status: 200,
        json: { webhooks: all.map((w) => this.webhookJson(w)), meta: { has_more: false } },
      };
    });
    route(app, 'GET', `${W}/{webhook_id}`, ({ params }) => ({
      status: 200,
      json: { webhook: this.webhookJson(this.webhook(params['webhook_id'])) },
    }));
    const update = (partial: boolean) => (r: { params: Record<string, string>; body: unknown }) => {
      const old = this.webhook(r.params['webhook_id']);
      this.hooks.set(old.id, this.readWebhook(r.body, old, partial));
      return { status: 204 };
    };
    route(app, 'PUT', `${W}/{webhook_id}`, update(false));
    app.route({
      method: 'PATCH',
      url: `${W}/:webhook_id`,
      handler: async (request, reply) => {
        try {
          update(true)({ params: request.params as Record<string, string>, body: request.body });
          return reply.code(204).send();
        } catch (e) {
          if (!(e instanceof ZdError)) throw e;
          return reply
            .code(e.status)
            .type('application/json; charset=utf-8')
            .send(JSON.stringify(e.body));
        }
      },
    });
    route(app, 'DELETE', `${W}/{webhook_id}`, ({ params }) => {
      this.hooks.delete(this.webhook(params['webhook_id']).id);
      return { status: 204 };
    });
    const secretJson = (w: ZdWebhook) => ({
      signing_secret: { algorithm: 'SHA256', secret: w.secret },
    });
    route(app, 'GET', `${W}/{webhook_id}/signing_secret`, ({ params }) => ({
      status: 200,
      json: secretJson(this.webhook(params['webhook_id'])),
    }));
    route(app, 'POST', `${W}/{webhook_id}/signing_secret`, ({ params }) => {
      const w = this.webhook(params['webhook_id']);
      w.secret = newSigningSecret();
      return { status: 201, json: secretJson(w) };
    });

    const T = '/api/v2/triggers';
    route(app, 'POST', T, ({ body }) => {
      const t = this.readTrigger(body, undefined);
      this.triggers.set(t.id, t);
      return { status: 201, json: { trigger: this.triggerJson(t) } };
    });
    route(app, 'GET', T, () => {
      const all = this.sortedTriggers();
      return {
        status: 200,
        json: {
          triggers: all.map((t) => this.triggerJson(t)),
          count: all.length,
          next_page: null,
          previous_page: null,
        },
      };
    });
    route(app, 'GET', `${T}/{trigger_id}`, ({ params }) => ({
      status: 200,
      json: { trigger: this.triggerJson(this.trigger(params['trigger_id'])) },
    }));
    route(app, 'PUT', `${T}/{trigger_id}`, ({ params, body }) => {
      const t = this.readTrigger(body, this.trigger(params['trigger_id']));
      this.triggers.set(t.id, t);
      return { status: 200, json: { trigger: this.triggerJson(t) } };
    });
    route(app, 'DELETE', `${T}/{trigger_id}`, ({ params }) => {
      this.triggers.delete(this.trigger(params['trigger_id']).id);
      return { status: 204 };
    });
  }

  private sortedTriggers(): ZdTrigger[] {
    return [...this.triggers.values()].sort((a, b) => a.position - b.position || a.id - b.id);
  }

  // --- trigger runs and delivery -----------------------------------------------------------

  private changed(c: ZdTicketChange): void {
    if (this.triggers.size === 0) return;
    const p = this.pending.get(c.ticket.id);
    this.pending.set(c.ticket.id, {
      created: (p?.created ?? false) || c.created,
      actorId: c.actorId,
    });
    if (this.pending.size === 1 && !this.flushing) setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = true;
    const batch = this.pending;
    this.pending = new Map();
    try {
      for (const [ticketId, change] of batch) {
        const t = this.ctx.state.find(ticketId);
        if (t !== undefined) this.run(t, change.created, change.actorId);
      }
    } finally {
      this.flushing = false;
    }
    if (this.pending.size > 0) setImmediate(() => this.flush());
  }

  private holds(c: Condition, t: TicketRecord, created: boolean, actorId: number): boolean {
    switch (c.field) {
      case 'current_tags': {
        const tags = c.value.split(/\s+/).filter(Boolean);
        const has = tags.some((x) => t.tags.includes(x.toLowerCase()));
        return c.operator === 'includes' ? has : !has;
      }
      case 'update_type':
        return (c.value === 'Create') === created && ['Create', 'Change'].includes(c.value);
      case 'status':
        return (t.status === c.value) === (c.operator === 'is');
      case 'current_user':
        return (String(actorId) === c.value) === (c.operator === 'is');
      default:
        return false;
    }
  }

  private run(t: TicketRecord, created: boolean, actorId: number): void {
    for (const trig of this.sortedTriggers()) {
      if (!trig.active) continue;
      const ok =
        trig.all.every((c) => this.holds(c, t, created, actorId)) &&
        (trig.any.length === 0 || trig.any.some((c) => this.holds(c, t, created, actorId)));
      if (!ok) continue;
      for (const a of trig.actions) {
        const [hookId, template] = a.value as [string, string];
        const hook = this.hooks.get(hookId);
        if (hook === undefined || hook.status !== 'active') continue;
        this.notify(hook, render(template, t, this.ctx.state.user(actorId)));
      }
    }
  }

  private notify(w: ZdWebhook, body: string): void {
    const invocation = randomUUID();
    const contentType =
      w.requestFormat === 'json'
        ? 'application/json'
        : w.requestFormat === 'xml'
          ? 'application/xml'
          : 'application/x-www-form-urlencoded';
    const base: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Zendesk Webhook',
      'x-zendesk-account-id': this.accountId,
      'x-zendesk-webhook-id': w.id,
      'x-zendesk-webhook-invocation-id': invocation,
    };
    const secret = w.secret;
    this.deliverer.send(invocation, 'notification_webhook', {
      url: w.endpoint,
      method: w.httpMethod,
      headers: base,
      body,
      // Signed at each attempt: the timestamp is the attempt's.
      headersFor: () => {
        const ts = zdDate(new Date());
        return {
          'x-zendesk-webhook-signature-timestamp': ts,
          'x-zendesk-webhook-signature': createHmac('sha256', secret)
            .update(ts)
            .update(body)
            .digest('base64'),
        };
      },
    });
  }
}

function newSigningSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Fills in a trigger body's placeholders (JSON-escaped; unknown ones become empty). */
function render(
  template: string,
  t: TicketRecord,
  user: { id: number; name: string } | undefined,
): string {
  const values: Record<string, string> = {
    'ticket.id': String(t.id),
    'ticket.status': t.status,
    'ticket.priority': t.priority ?? '',
    'ticket.tags': t.tags.join(' '),
    'ticket.title': t.subject,
    'current_user.id': user ? String(user.id) : '',
    'current_user.name': user?.name ?? '',
  };
  return template.replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, (_m, k: string) =>
    JSON.stringify(values[k] ?? '').slice(1, -1),
  );
}

/** The webhook and trigger routes as a plugin (registered with the other API areas). */
export async function webhookRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  await ctx.webhooks.routes(app);
}
