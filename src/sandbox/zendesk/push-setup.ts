// The README's Zendesk push set-up, done through the simulator's API as an administrator
// would (used by the sandbox and the bench): a webhook for triggers, and the trigger that
// notifies it for tagged tickets, created or updated, with the body the connector reads.
export interface ZendeskPushSetup {
  readonly webhookId: string;
  readonly triggerId: number;
  /** The webhook's signing secret (ZENDESK_WEBHOOK_SECRET). */
  readonly secret: string;
}

export async function setUpZendeskPush(
  zd: { readonly url: string; readonly email: string; readonly apiToken: string },
  endpoint: string,
  opts: { readonly tag: string; readonly signingSecret?: string },
): Promise<ZendeskPushSetup> {
  const auth = `Basic ${Buffer.from(`${zd.email}/token:${zd.apiToken}`).toString('base64')}`;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${zd.url}${p}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!res.ok) throw new Error(`Zendesk ${method} ${p}: HTTP ${res.status}`);
    return json;
  };
  const w = await call('POST', '/api/v2/webhooks', {
    webhook: {
      name: 'Google Cloud Support sync',
      status: 'active',
      endpoint,
      http_method: 'POST',
      request_format: 'json',
      subscriptions: ['conditional_ticket_events'],
      ...(opts.signingSecret
        ? { signing_secret: { algorithm: 'SHA256', secret: opts.signingSecret } }
        : {}),
    },
  });
  const webhookId = w.webhook.id as string;
  const t = await call('POST', '/api/v2/triggers', {
    trigger: {
      title: 'Google Cloud Support sync: push',
      conditions: {
        all: [{ field: 'current_tags', operator: 'includes', value: opts.tag }],
        any: [
          { field: 'update_type', operator: 'is', value: 'Create' },
          { field: 'update_type', operator: 'is', value: 'Change' },
        ],
      },
      actions: [
        {
          field: 'notification_webhook',
          value: [webhookId, '{"ticket_id": "{{ticket.id}}", "updater_id": "{{current_user.id}}"}'],
        },
      ],
    },
  });
  const s = await call('GET', `/api/v2/webhooks/${webhookId}/signing_secret`);
  return {
    webhookId,
    triggerId: t.trigger.id as number,
    secret: s.signing_secret.secret as string,
  };
}
