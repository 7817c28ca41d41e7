// A stateful HTTP simulator of Zendesk Support in Zendesk's real wire format (its OpenAPI,
// /work/shared/specs/zendesk-support.openapi.yaml): the OAuth client-credentials grant and
// API-token basic auth, tickets (create, show, update with safe_update, list by external
// id), comments (cursor pages, audit metadata), the cursor incremental export (with its
// 10/minute limit), streamed uploads with 60-minute tokens, and downloads from a second
// listener that refuses credentials. Plus the per-ticket update limit, fault injection,
// the account's requests per minute (account-limit.ts: X-Rate-Limit headers, 429), the
// "down" switch, stats, an exchange hook, a person API and /_control.
// Choice: solving (or closing) a ticket without an assignee assigns the API user.
//
// Layout: app.ts builds both Fastify apps from one route plugin per API area (*-routes.ts)
// over the state module (state.ts); ticket-input.ts holds the update rules; wire.ts the JSON.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildZendeskApp } from './app';
import { createContext } from './context';
import { personApi } from './person';
import type { ZendeskSimulator, ZendeskSimulatorOptions } from './types';

export type {
  ZendeskAttachmentInput,
  ZendeskAttachmentSnapshot,
  ZendeskCommentInput,
  ZendeskCommentSnapshot,
  ZendeskPersonRef,
  ZendeskPriority,
  ZendeskSimStats,
  ZendeskSimulator,
  ZendeskSimulatorOptions,
  ZendeskStatus,
  ZendeskTicketInput,
  ZendeskTicketSnapshot,
} from './types';
export type { FaultSpec } from '../faults';
export type { SimAccountRateLimit, ZendeskPlan } from './account-limit';
export { ZENDESK_PLAN_LIMITS } from './account-limit';
export type { ZdTrigger, ZdWebhook } from './webhooks';

async function listen(app: FastifyInstance, port: number): Promise<string> {
  await app.listen({ port, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function startZendeskSimulator(
  opts: ZendeskSimulatorOptions = {},
): Promise<ZendeskSimulator> {
  const ctx = createContext(opts);
  const { state } = ctx;
  const person = personApi(state);
  const api = buildZendeskApp(ctx, person, false);
  const content = buildZendeskApp(ctx, person, true);
  ctx.base = await listen(api, opts.port ?? 0);
  ctx.contentBase = await listen(content, 0);

  return {
    url: ctx.base,
    contentUrl: ctx.contentBase,
    oauthClientId: ctx.clientId,
    oauthClientSecret: ctx.clientSecret,
    email: ctx.email,
    apiToken: ctx.apiToken,
    apiUser: { id: state.apiUser.id, name: state.apiUser.name, email: ctx.email },
    faults: ctx.faults,
    setDown: (down) => {
      ctx.down = down;
    },
    stats: () => ({ requests: ctx.stats.requests, byRoute: { ...ctx.stats.byRoute } }),
    contentAuthRefusals: () => ctx.stats.contentAuthRefusals,
    setAccountRateLimit: (limit) => ctx.accountLimit.set(limit),
    accountRateLimitRejections: () => ctx.accountLimit.rejections(),
    createTicket: person.create,
    addComment: person.comment,
    addAttachment: person.attachment,
    setPriority: person.priority,
    setStatus: person.status,
    setTags: person.tags,
    deleteTicket: (id) => state.deleteTicket(id),
    getTicket: (id) => {
      const t = state.find(id);
      return t
        ? { ...state.ticketSnapshot(t), comments: t.comments.map((c) => state.commentSnapshot(c)) }
        : null;
    },
    listTickets: () => state.all().map((t) => state.ticketSnapshot(t)),
    webhooks: () => ctx.webhooks.list(),
    triggers: () => ctx.webhooks.listTriggers(),
    webhookDeliveries: () => ctx.webhooks.deliveries(),
    webhooksIdle: () => ctx.webhooks.idle(),
    close: async () => {
      ctx.webhooks.close();
      await Promise.all([api.close(), content.close()]);
    },
  };
}
export { setUpZendeskPush, type ZendeskPushSetup } from './push-setup';
