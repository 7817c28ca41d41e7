// Zendesk webhooks (SPEC §6.1): a trigger on tagged tickets notifies a webhook that posts
// `{"ticket_id": "{{ticket.id}}"}` to /webhooks/zendesk. Each request is signed:
// X-Zendesk-Webhook-Signature = base64(HMAC-SHA256(signing secret,
// X-Zendesk-Webhook-Signature-Timestamp + raw body)); a timestamp more than five minutes
// from now is refused, so a captured request cannot be replayed later.
// X-Zendesk-Webhook-Invocation-Id names the delivery.
import type { PushAuth, PushDelivery, PushEvent, PushSource } from '../../ports/push-source';
import { header, jsonObject, pick, sameSecretText, zendeskSignature } from './signatures';

const TICKET_ID = /^\d{1,18}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export interface ZendeskWebhookOptions {
  readonly secret: string;
  /** How far the signed timestamp may be from now. Default 5 minutes. */
  readonly maxSkewMs?: number;
  readonly now?: () => Date;
  /** The connector's Zendesk user id, when known: its own changes are ignored. */
  readonly ownUserId?: () => string | null;
}

export class ZendeskWebhookSource implements PushSource {
  readonly name = 'zendesk' as const;
  private readonly maxSkewMs: number;

  constructor(private readonly opts: ZendeskWebhookOptions) {
    this.maxSkewMs = opts.maxSkewMs ?? 5 * 60 * 1000;
  }

  async authenticate(d: PushDelivery): Promise<PushAuth> {
    const given = header(d.headers, 'x-zendesk-webhook-signature');
    const ts = header(d.headers, 'x-zendesk-webhook-signature-timestamp');
    if (given === undefined || ts === undefined) return { ok: false, reason: 'missing' };
    if (!BASE64_SHA256.test(given)) return { ok: false, reason: 'malformed' };
    const at = Date.parse(ts);
    if (Number.isNaN(at)) return { ok: false, reason: 'malformed' };
    const expected = zendeskSignature(this.opts.secret, ts, d.rawBody);
    if (!sameSecretText(given, expected)) return { ok: false, reason: 'mismatch' };
    const now = (this.opts.now?.() ?? new Date()).getTime();
    if (Math.abs(now - at) > this.maxSkewMs) return { ok: false, reason: 'stale' };
    return { ok: true };
  }

  async read(d: PushDelivery): Promise<PushEvent> {
    const deliveryId = header(d.headers, 'x-zendesk-webhook-invocation-id')?.slice(0, 200) ?? null;
    const ignore = (reason: string): PushEvent => ({ kind: 'ignore', reason, deliveryId });
    const body = jsonObject(d.rawBody);
    if (body === null) return ignore('not-json');
    // The trigger's body (README), or an event subscription's `detail.id`.
    const raw = body.ticket_id ?? pick(body, 'ticket', 'id') ?? pick(body, 'detail', 'id');
    const id = typeof raw === 'number' ? String(raw) : raw;
    if (typeof id !== 'string' || !TICKET_ID.test(id)) return ignore('no-ticket');
    const own = this.opts.ownUserId?.() ?? null;
    const updater = body.updater_id ?? body.current_user_id;
    if (own !== null && updater !== undefined && String(updater) === own)
      return ignore('own-change');
    return { kind: 'sync', trigger: { side: 'company', caseId: id }, deliveryId };
  }
}
