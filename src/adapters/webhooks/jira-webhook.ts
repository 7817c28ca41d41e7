// Jira admin webhooks (registered by `npm run doctor -- --register-webhooks` or in Jira
// settings → System → WebHooks, with a secret): each delivery is signed with
// `X-Hub-Signature: sha256=HMAC(secret, raw body)` and carries
// `X-Atlassian-Webhook-Identifier`, the same on Jira's retries. An event names its issue by
// id; an event caused by the connector's own account is ignored (its change was ours).
import { createHmac } from 'node:crypto';
import type { PushAuth, PushDelivery, PushEvent, PushSource } from '../../ports/push-source';
import { header, jsonObject, pick, sameSecretText } from './signatures';

/** The events the webhook is registered for. */
export const JIRA_WEBHOOK_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'comment_created',
  'comment_updated',
  'attachment_created',
] as const;

const ISSUE_ID = /^\d{1,18}$/;
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

export interface JiraWebhookOptions {
  readonly secret: string;
  /** The connector's Jira account id once known (events it caused are ignored); null: not yet. */
  readonly ownAccountId: () => string | null;
  /** An event whose `timestamp` is older than this is ignored (a late retry or a replay). */
  readonly maxAgeMs?: number;
  readonly now?: () => Date;
}

export class JiraWebhookSource implements PushSource {
  readonly name = 'jira' as const;
  private readonly maxAgeMs: number;

  constructor(private readonly opts: JiraWebhookOptions) {
    this.maxAgeMs = opts.maxAgeMs ?? 60 * 60 * 1000;
  }

  async authenticate(d: PushDelivery): Promise<PushAuth> {
    const given = header(d.headers, 'x-hub-signature');
    if (given === undefined) return { ok: false, reason: 'missing' };
    const hex = SIGNATURE.exec(given)?.[1];
    if (hex === undefined) return { ok: false, reason: 'malformed' };
    const expected = createHmac('sha256', this.opts.secret).update(d.rawBody).digest('hex');
    return sameSecretText(hex.toLowerCase(), expected)
      ? { ok: true }
      : { ok: false, reason: 'mismatch' };
  }

  async read(d: PushDelivery): Promise<PushEvent> {
    const deliveryId = header(d.headers, 'x-atlassian-webhook-identifier')?.slice(0, 200) ?? null;
    const ignore = (reason: string): PushEvent => ({ kind: 'ignore', reason, deliveryId });
    const body = jsonObject(d.rawBody);
    if (body === null) return ignore('not-json');
    const event = body.webhookEvent;
    if (!(JIRA_WEBHOOK_EVENTS as readonly unknown[]).includes(event)) return ignore('event-type');
    const at = body.timestamp;
    const now = (this.opts.now?.() ?? new Date()).getTime();
    if (typeof at === 'number' && now - at > this.maxAgeMs) return ignore('stale');
    const own = this.opts.ownAccountId();
    if (own !== null && actorOf(body) === own) return ignore('own-change');
    const id = pick(body, 'issue', 'id');
    const issueId = typeof id === 'number' ? String(id) : id;
    // attachment_created names no issue; Jira also sends jira:issue_updated for it.
    if (typeof issueId !== 'string' || !ISSUE_ID.test(issueId)) return ignore('no-ticket');
    return { kind: 'sync', trigger: { side: 'company', caseId: issueId }, deliveryId };
  }
}

/** Who caused the event: the comment's or attachment's author, else the event's user. */
function actorOf(body: Record<string, unknown>): unknown {
  return (
    pick(body, 'comment', 'updateAuthor', 'accountId') ??
    pick(body, 'comment', 'author', 'accountId') ??
    pick(body, 'attachment', 'author', 'accountId') ??
    pick(body, 'user', 'accountId')
  );
}
