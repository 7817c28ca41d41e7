// The pieces every in-process bench section shares: both API simulators (counting every
// request by route) on a clock the bench can move back for seeding, the connector's real
// app and adapters over HTTP with a counting store, and seeding of linked pairs. Jira is
// every section's CRM; section 1 also runs on Zendesk (`pollWorld`).
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { buildApp } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { createLogger } from '../src/adapters/log/pino-logger';
import { MemoryMappingStore } from '../src/adapters/local/memory-mapping-store';
import { JiraCrm, googleCaseLabel, GOOGLE_CASE_PROPERTY } from '../src/adapters/jira/jira-crm';
import { ZendeskCrm } from '../src/adapters/zendesk/zendesk-crm';
import { googleCaseTag } from '../src/adapters/zendesk/zendesk-mapping';
import { startZendeskSimulator, type ZendeskSimulator } from '../src/sandbox/zendesk';
import type { Crm } from '../src/ports/crm';
import { googleSupportCasesForEmulator } from '../src/adapters/google/google-support-cases';
import {
  GOOGLE_WRITE_ROUTES,
  startGoogleSimulator,
  type GoogleSimulator,
} from '../src/sandbox/google';
import { startJiraSimulator, type JiraSimulator } from '../src/sandbox/jira';
import type { CaseMapping } from '../src/domain/mapping';
import type { SyncTask, TaskQueue } from '../src/ports/task-queue';
import type { FastifyInstance } from 'fastify';
import { CountingMappingStore } from './counting-store';
import { DEFAULT_SYNC_LABEL, DEFAULT_ZENDESK_SYNC_TAG } from '../src/domain/settings';
import { systemClock } from '../src/adapters/system-clock';

export const PARENT = 'organizations/123456789012';
export const SYNC_LABEL = DEFAULT_SYNC_LABEL;
export const CRON = { 'X-Appengine-Cron': 'true' } as const;
export const QUEUE = {
  'X-AppEngine-QueueName': 'sync',
  'Content-Type': 'application/json',
} as const;

/** A clock that the simulators read: real time plus an offset the bench sets. */
export class ShiftedClock {
  offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
}

export interface Sims {
  readonly google: GoogleSimulator;
  readonly jira: JiraSimulator;
  readonly clock: ShiftedClock;
  close(): Promise<void>;
}

export async function startSims(opts: { jiraUploadLimitBytes?: number } = {}): Promise<Sims> {
  const clock = new ShiftedClock();
  const google = await startGoogleSimulator({ now: clock.now });
  const jira = await startJiraSimulator({
    now: clock.now,
    searchLagMs: 0,
    ...(opts.jiraUploadLimitBytes ? { uploadLimitBytes: opts.jiraUploadLimitBytes } : {}),
  });
  return {
    google,
    jira,
    clock,
    close: async () => {
      await Promise.all([google.close(), jira.close()]);
    },
  };
}

/** The connector's environment without its CRM (STORE=memory, local queue, no scheduler). */
function googleSideEnv(google: GoogleSimulator): Record<string, string> {
  return {
    PORT: '0',
    SUPPORT_PARENT: PARENT,
    SUPPORT_CLASSIFICATION_ID: 'sandbox-classification',
    CLOUDSUPPORT_EMULATOR_HOST: google.host,
    CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
    STORE: 'memory',
    TASK_QUEUE: 'local',
    SCHEDULER: 'off',
  };
}

/** The connector's environment pointing at the simulators (STORE=memory, local queue, no scheduler). */
export function connectorEnv(sims: {
  google: GoogleSimulator;
  jira: JiraSimulator;
}): Record<string, string> {
  return {
    ...googleSideEnv(sims.google),
    JIRA_BASE_URL: sims.jira.url,
    JIRA_EMAIL: sims.jira.email,
    JIRA_API_TOKEN: sims.jira.apiToken,
    JIRA_PROJECT_KEY: 'SUP',
  };
}

/** A TaskQueue that only counts: the poll's cost is measured without the syncs it fans out. */
export class CountingQueue implements TaskQueue {
  readonly tasks: SyncTask[] = [];
  async enqueue(task: SyncTask): Promise<void> {
    this.tasks.push(task);
  }
}

/** A pino destination that keeps only a count of lines per severity (nothing printed). */
export function quietLogger(level = 'warn') {
  const counts: Record<string, number> = {};
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        const m = /"severity":"([A-Z]+)"/.exec(line);
        if (m?.[1]) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
      }
      cb();
    },
  });
  return { logger: createLogger({ level, destination: sink }), counts };
}

export interface InProcessConnector {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: Config;
  readonly store: CountingMappingStore;
  readonly queue: CountingQueue;
  readonly crm: Crm;
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * The real app (buildApp) with the real Google and Jira adapters built as server.ts builds
 * them, a counting memory store and a counting queue, listening on 127.0.0.1.
 */
export async function startInProcessConnector(sims: Sims): Promise<InProcessConnector> {
  const config = loadConfig(connectorEnv(sims));
  const crm = new JiraCrm({
    baseUrl: config.jira.baseUrl,
    email: config.jira.email,
    apiToken: config.jira.apiToken as string,
    projectKey: config.jira.projectKey,
    issueType: config.jira.issueType,
    syncJql: config.jira.syncJql,
    syncLabel: config.jira.syncLabel,
    priorityNames: config.jira.priorityNames,
  });
  return listenInProcess(config, sims.google, crm);
}

/** The real app over `crm` and the Google simulator, with a counting store and queue. */
async function listenInProcess(
  config: Config,
  google: GoogleSimulator,
  crm: Crm,
): Promise<InProcessConnector> {
  const support = googleSupportCasesForEmulator(google.host, google.token);
  const store = new CountingMappingStore(new MemoryMappingStore());
  const queue = new CountingQueue();
  const { logger } = quietLogger();
  let seq = 0;
  const app = buildApp({
    support,
    crm,
    store,
    queue,
    clock: systemClock,
    settings: config.settings,
    logger,
    newId: () => `bench-${++seq}`,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const call = async (path: string, init: RequestInit) => {
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  return {
    app,
    url,
    config,
    store,
    queue,
    crm,
    get: (path) => call(path, { headers: CRON }),
    post: (path, body) =>
      call(path, { method: 'POST', headers: QUEUE, body: JSON.stringify(body) }),
    close: () => app.close(),
  };
}

export interface SeededPair {
  readonly caseName: string;
  readonly issueId: string;
  readonly issueKey: string;
  readonly mappingId: string;
}

/**
 * Creates `n` linked pairs directly: a Google case, a Jira ticket that holds its name (label
 * plus issue property, as the connector links them) and a mapping synced at `syncedAt`.
 * The simulators' clock is moved back to `at` meanwhile, so that the seeds are older than
 * the polling windows.
 */
export async function seedPairs(
  sims: Sims,
  store: Pick<CountingMappingStore, 'insert' | 'recordMirroredItem'>,
  n: number,
  at: Date,
): Promise<SeededPair[]> {
  const saved = sims.clock.offsetMs;
  sims.clock.offsetMs = at.getTime() - Date.now();
  const pairs: SeededPair[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = sims.google.createCase({
        parent: PARENT,
        displayName: `Bench case ${i}`,
        description: `Seeded case ${i}.`,
        priority: 'P3',
        createTime: at,
      });
      const issue = sims.jira.createIssue({
        summary: `Bench case ${i}`,
        description: `CONTENT MIRRORED FROM GOOGLE SUPPORT:\nSeeded case ${i}.`,
        labels: [SYNC_LABEL, googleCaseLabel(c.name)],
        priority: 'Low',
        createdAt: at,
      });
      sims.jira.setIssueProperty(issue.id, GOOGLE_CASE_PROPERTY, { name: c.name });
      const m: CaseMapping = await store.insert({
        googleCaseName: c.name,
        companyCaseID: issue.id,
        companyCaseKey: issue.key,
        newContentAt: at,
        resolvedAt: null,
        companyUpdatesSyncedAt: at,
        googleUpdatesSyncedAt: at,
        outageCommentSentToGoogle: false,
        outageCommentSentToCompany: false,
        priority: 3,
        origin: 'google',
        googlePendingSince: null,
        companyPendingSince: null,
        counterpartCreationStartedAt: null,
      });
      // A linked pair as the connector leaves it: the case was told, and the notice recorded.
      const notice = sims.google.addComment(c.name, {
        body: `This case is now syncing with Company Case: ${issue.key}`,
        displayName: 'Connector Service Account',
        googleSupport: false,
      });
      await store.recordMirroredItem({
        mappingId: m.id,
        kind: 'notice',
        sourceSide: 'google',
        sourceId: 'now-syncing',
        targetIds: [notice.id],
        createdAt: at,
      });
      pairs.push({ caseName: c.name, issueId: issue.id, issueKey: issue.key, mappingId: m.id });
    }
  } finally {
    sims.clock.offsetMs = saved;
  }
  return pairs;
}

// --- upstream counts ------------------------------------------------------------------------

export interface UpstreamCounts {
  readonly calls: number;
  readonly writes: number;
  readonly byRoute: Readonly<Record<string, number>>;
}

/** Requests the Google simulator answered since its last resetStats(). */
export function googleCounts(sims: Pick<Sims, 'google'>): UpstreamCounts {
  const s = sims.google.stats();
  let writes = 0;
  for (const [route, n] of Object.entries(s.byRoute))
    if ((GOOGLE_WRITE_ROUTES as ReadonlySet<string>).has(route)) writes += n;
  return { calls: s.total, writes, byRoute: s.byRoute };
}

/** Requests the Jira simulator answered since its last resetStats() (search is a POST but reads). */
export function jiraCounts(sims: Pick<Sims, 'jira'>): UpstreamCounts {
  const s = sims.jira.stats();
  let writes = 0;
  for (const [route, n] of Object.entries(s.byRoute)) {
    const method = route.split(' ')[0] ?? '';
    if (method !== 'GET' && method !== 'HEAD' && !route.includes('/search')) writes += n;
  }
  return { calls: s.total, writes, byRoute: s.byRoute };
}

// --- Zendesk (section 1) ----------------------------------------------------------------------

export interface ZendeskSims {
  readonly google: GoogleSimulator;
  readonly zendesk: ZendeskSimulator;
  readonly clock: ShiftedClock;
  close(): Promise<void>;
}

/** The connector's Zendesk environment (CRM=zendesk, the simulator's OAuth client). */
function zendeskConnectorEnv(sims: ZendeskSims): Record<string, string> {
  return {
    ...googleSideEnv(sims.google),
    CRM: 'zendesk',
    ZENDESK_BASE_URL: sims.zendesk.url,
    ZENDESK_OAUTH_CLIENT_ID: sims.zendesk.oauthClientId,
    ZENDESK_OAUTH_CLIENT_SECRET: sims.zendesk.oauthClientSecret,
  };
}

/** The Google and Zendesk simulators on one shifted clock (the export's 10/minute on it). */
export async function startZendeskSims(): Promise<ZendeskSims> {
  const clock = new ShiftedClock();
  const google = await startGoogleSimulator({ now: clock.now });
  const zendesk = await startZendeskSimulator({ now: clock.now });
  return {
    google,
    zendesk,
    clock,
    close: async () => {
      await Promise.all([google.close(), zendesk.close()]);
    },
  };
}

/** The real app with ZendeskCrm built as wiring.ts builds it (OAuth client credentials). */
export async function startInProcessZendeskConnector(
  sims: ZendeskSims,
): Promise<InProcessConnector> {
  const config = loadConfig(zendeskConnectorEnv(sims));
  const z = config.zendesk!;
  const crm = new ZendeskCrm({
    baseUrl: z.baseUrl,
    auth: {
      kind: 'oauth',
      clientId: z.oauth!.clientId,
      clientSecret: z.oauth!.clientSecret as string,
    },
    syncTag: z.syncTag,
    priorities: z.priorities,
  });
  return listenInProcess(config, sims.google, crm);
}

/**
 * `n` linked pairs as the connector leaves them on Zendesk: a Google case, a ticket with the
 * sync tag, the case tag and the case name in `external_id`, and a mapping synced at `at`.
 */
export async function seedZendeskPairs(
  sims: ZendeskSims,
  store: Pick<CountingMappingStore, 'insert' | 'recordMirroredItem'>,
  n: number,
  at: Date,
): Promise<{ caseName: string; ticketId: number }[]> {
  const saved = sims.clock.offsetMs;
  sims.clock.offsetMs = at.getTime() - Date.now();
  const pairs: { caseName: string; ticketId: number }[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = sims.google.createCase({
        parent: PARENT,
        displayName: `Bench case ${i}`,
        description: `Seeded case ${i}.`,
        priority: 'P3',
        createTime: at,
      });
      const t = sims.zendesk.createTicket({
        subject: `Bench case ${i}`,
        description: `CONTENT MIRRORED FROM GOOGLE SUPPORT:\nSeeded case ${i}.`,
        tags: [DEFAULT_ZENDESK_SYNC_TAG, googleCaseTag(c.name)],
        priority: 'low',
        externalId: c.name,
      });
      const m = await store.insert({
        googleCaseName: c.name,
        companyCaseID: String(t.id),
        companyCaseKey: String(t.id),
        newContentAt: at,
        resolvedAt: null,
        companyUpdatesSyncedAt: at,
        googleUpdatesSyncedAt: at,
        outageCommentSentToGoogle: false,
        outageCommentSentToCompany: false,
        priority: 3,
        origin: 'google',
        googlePendingSince: null,
        companyPendingSince: null,
        counterpartCreationStartedAt: null,
      });
      const notice = sims.google.addComment(c.name, {
        body: `This case is now syncing with Company Case: ${t.id}`,
        displayName: 'Connector Service Account',
        googleSupport: false,
      });
      await store.recordMirroredItem({
        mappingId: m.id,
        kind: 'notice',
        sourceSide: 'google',
        sourceId: 'now-syncing',
        targetIds: [notice.id],
        createdAt: at,
      });
      pairs.push({ caseName: c.name, ticketId: t.id });
    }
  } finally {
    sims.clock.offsetMs = saved;
  }
  return pairs;
}

/** The Zendesk simulator's request counts, as deltas from a snapshot (it has no reset). */
export class ZendeskCounter {
  private base: Record<string, number> = {};
  constructor(private readonly zendesk: ZendeskSimulator) {
    this.reset();
  }
  reset(): void {
    this.base = { ...this.zendesk.stats().byRoute };
  }
  counts(): UpstreamCounts {
    const byRoute: Record<string, number> = {};
    let calls = 0;
    let writes = 0;
    for (const [route, n] of Object.entries(this.zendesk.stats().byRoute)) {
      const d = n - (this.base[route] ?? 0);
      if (d === 0) continue;
      byRoute[route] = d;
      calls += d;
      if (!route.startsWith('GET') && !route.includes('/oauth/')) writes += d;
    }
    return { calls, writes, byRoute };
  }
}

export function resetCounts(sims: Pick<Sims, 'google' | 'jira'>, store?: { reset(): void }): void {
  sims.google.resetStats();
  sims.jira.resetStats();
  store?.reset();
}

/** Milliseconds since `t0` (performance.now()). */
export function since(t0: number): number {
  return performance.now() - t0;
}
