// A stateful HTTP simulator of Jira Cloud platform REST v3 (+ the JSM bits we use), in
// Jira's real wire format: enhanced JQL search (with a lagging index), issues, transitions,
// comments (JSM internal comments via `sd.public.comment`), properties, attachments
// (multipart upload with the XSRF header and the site's limit, 303 download redirect to a
// media URL), /myself, priorities, fields. Plus Jira Cloud's per-issue write limit (429 +
// Retry-After), its tenant burst limit (X-RateLimit-* headers, 429), fault injection, stats, an exchange hook, a programmatic "person" API and a
// /_control HTTP API for tests and the sandbox.
//
// Layout: app.ts builds the Fastify apps from one route plugin per API area (*-routes.ts)
// over the state module (state.ts); pipeline.ts holds the hooks every API request runs.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildJiraApp } from './app';
import { createContext } from './context';
import { personApi } from './person';
import { RouteTable } from './route-table';
import type { JiraSimulator, JiraSimulatorOptions } from './types';

export type {
  JiraSimulator,
  JiraSimulatorOptions,
  PersonAttachmentInput,
  PersonCommentInput,
  PersonIssueInput,
  SimStats,
} from './types';
export type { AttachmentSnapshot, CommentSnapshot, IssueSnapshot } from './snapshots';
export type { JiraSimCustomField, JiraSimProject, SimTransition } from './state-model';
export type { FaultSpec } from '../faults';
export type { SimWriteWindow } from './write-limit';
export type { SimBurstLimit } from './burst-limit';
export { JIRA_DEFAULT_BURST_LIMIT, BURST_REASON } from './burst-limit';
export { JIRA_PER_ISSUE_WRITE_LIMITS, PER_ISSUE_WRITE_REASON } from './write-limit';
export { ISSUE_NOT_FOUND } from './state-model';
export { jiraDate } from './wire';
export type { RegisteredJiraWebhook } from './webhooks';
export type { AttemptRecord, DeliveryRecord } from './webhook-delivery';

async function listen(app: FastifyInstance, port: number): Promise<string> {
  await app.listen({ port, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function startJiraSimulator(opts: JiraSimulatorOptions = {}): Promise<JiraSimulator> {
  const ctx = createContext(opts);
  const { state, writeLimit } = ctx;
  const person = personApi(state);
  const table = new RouteTable();

  const app = buildJiraApp(ctx, table, person, false);
  ctx.base = await listen(app, opts.port ?? 0);
  let media: FastifyInstance | undefined;
  if (opts.separateMediaHost === true) {
    // Built once the API app is ready: its 404s name the API's routes (405, stats).
    media = buildJiraApp(ctx, table, person, true);
    ctx.mediaBase = await listen(media, 0);
  } else {
    ctx.mediaBase = ctx.base;
  }

  return {
    url: ctx.base,
    mediaUrl: ctx.mediaBase,
    email: ctx.email,
    apiToken: ctx.apiToken,
    apiUser: {
      accountId: ctx.apiUser.accountId,
      displayName: ctx.apiUser.displayName,
      emailAddress: ctx.email,
    },
    uploadLimitBytes: ctx.uploadLimit,
    faults: ctx.faults,
    setDown: (d) => {
      ctx.down = d;
    },
    setPerIssueWriteLimits: (limits) => writeLimit.setWindows(limits === false ? [] : limits),
    perIssueWriteRejections: () => writeLimit.rejected(),
    setBurstLimit: (limit) => ctx.burst.set(limit),
    burstRejections: () => ctx.burst.rejections(),
    stats: () => ({ total: ctx.stats.total, byRoute: { ...ctx.stats.byRoute } }),
    resetStats: () => {
      ctx.stats = { total: 0, byRoute: {} };
    },
    createIssue: (input) => state.snapshot(person.create(input)),
    addComment: person.comment,
    addAttachment: person.attachment,
    setPriority: person.priority,
    transition: person.transition,
    deleteIssue: (idOrKey) => state.deleteIssue(idOrKey),
    moveIssue: (idOrKey, projectKey) => state.snapshot(state.moveIssue(idOrKey, projectKey)),
    setLabels: person.labels,
    setIssueProperty: (idOrKey, key, value) => {
      state.get(idOrKey).properties.set(key, value);
    },
    getIssue: (idOrKey) => {
      const issue = state.find(idOrKey);
      return issue ? state.snapshot(issue) : null;
    },
    listIssues: () => state.all().map((i) => state.snapshot(i)),
    webhooks: () => ctx.webhooks.list(),
    webhookDeliveries: () => ctx.webhooks.deliveries(),
    webhooksIdle: () => ctx.webhooks.idle(),
    close: async () => {
      ctx.webhooks.close();
      await Promise.all([app.close(), ...(media ? [media.close()] : [])]);
    },
  };
}
