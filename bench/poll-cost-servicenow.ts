// Section 1 for CRM=servicenow: the cost of one poll cycle (poll-google + poll-company)
// against N open mappings linked to ServiceNow records (incident or sn_customerservice_case),
// with 0 and some changed pairs per side, beside the Jira figures of poll-cost.ts. The real
// app and adapters (Cloud Support over HTTP, ServiceNowCrm with OAuth) on the simulators,
// a counting memory store and a queue that only counts.
//
// A ServiceNow poll is two reads when nothing changed: the records (sync query plus
// sys_updated_on>=) and sys_attachment (SPEC §6.2: adding a file does not touch the record's
// sys_updated_on), so the cycle's bar is §5's 2 calls plus that one read. The first cycle
// after boot also pays the fields check (sys_db_object, sys_dictionary) and the OAuth token;
// it is run once before measuring and reported on its own row.
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app';
import { MemoryMappingStore } from '../src/adapters/local/memory-mapping-store';
import { googleSupportCasesForEmulator } from '../src/adapters/google/google-support-cases';
import { createLogger } from '../src/adapters/log/pino-logger';
import { ServiceNowCrm } from '../src/adapters/servicenow/servicenow-crm';
import { systemClock } from '../src/adapters/system-clock';
import { loadConfig } from '../src/config';
import type { ServiceNowTable } from '../src/domain/servicenow-priority';
import type { SyncTask, TaskQueue } from '../src/ports/task-queue';
import { startGoogleSimulator, type GoogleSimulator } from '../src/sandbox/google';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../src/sandbox/servicenow';
import { CountingMappingStore, type StoreCounts } from './counting-store';
import { ms, row, type Row } from './table';

const PARENT = 'organizations/123456789012';
const CRON = { 'X-Appengine-Cron': 'true' } as const;
/** §5's bar (2 upstream calls per idle cycle) plus §6.2's sys_attachment read. */
export const SERVICENOW_POLL_BAR_UPSTREAM = 3;
const POLL_BAR_STORE = 5;

export interface ServiceNowPollResult {
  readonly table: ServiceNowTable;
  readonly mappings: number;
  readonly changed: number;
  readonly googleCalls: number;
  readonly serviceNowCalls: number;
  readonly store: StoreCounts;
  readonly enqueued: number;
  readonly wallMs: number;
  /** The first cycle after boot: calls to ServiceNow (fields check and token included). */
  readonly firstCycleServiceNowCalls: number;
}

class Shifted {
  offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
}

class CountingQueue implements TaskQueue {
  count = 0;
  async enqueue(_task: SyncTask): Promise<void> {
    this.count += 1;
  }
}

interface Bench {
  readonly google: GoogleSimulator;
  readonly sn: ServiceNowSimulator;
  readonly clock: Shifted;
  readonly store: CountingMappingStore;
  readonly queue: CountingQueue;
  get(path: string): Promise<number>;
  close(): Promise<void>;
}

async function start(table: ServiceNowTable): Promise<Bench> {
  const clock = new Shifted();
  const google = await startGoogleSimulator({ now: clock.now });
  const sn = await startServiceNowSimulator({ now: clock.now });
  const config = loadConfig({
    SUPPORT_PARENT: PARENT,
    CLOUDSUPPORT_EMULATOR_HOST: google.host,
    CRM: 'servicenow',
    SERVICENOW_INSTANCE_URL: sn.url,
    SERVICENOW_TABLE: table,
    SERVICENOW_OAUTH_CLIENT_ID: sn.oauthClientId,
    SERVICENOW_OAUTH_CLIENT_SECRET: sn.oauthClientSecret,
    STORE: 'memory',
    TASK_QUEUE: 'local',
    SCHEDULER: 'off',
  });
  const c = config.servicenow as NonNullable<typeof config.servicenow>;
  const crm = new ServiceNowCrm({
    instanceUrl: c.instanceUrl,
    auth: { kind: 'oauth', clientId: sn.oauthClientId, clientSecret: sn.oauthClientSecret },
    table,
    syncQuery: c.syncQuery,
    priorities: c.priorities,
  });
  const store = new CountingMappingStore(new MemoryMappingStore());
  const queue = new CountingQueue();
  let seq = 0;
  const app = buildApp({
    support: googleSupportCasesForEmulator(google.host, google.token),
    crm,
    store,
    queue,
    clock: systemClock,
    settings: config.settings,
    logger: createLogger({ level: 'silent' }),
    newId: () => `bench-sn-${++seq}`,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    google,
    sn,
    clock,
    store,
    queue,
    get: async (path) => {
      const res = await fetch(`${url}${path}`, { headers: CRON });
      await res.text();
      return res.status;
    },
    close: async () => {
      await app.close();
      await Promise.all([google.close(), sn.close()]);
    },
  };
}

/** `n` linked pairs, older than both polling windows: a case, a record holding its name, a mapping. */
async function seed(b: Bench, table: ServiceNowTable, n: number, at: Date) {
  b.clock.offsetMs = at.getTime() - Date.now();
  const pairs: { caseName: string; sysId: string }[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const gc = b.google.createCase({
        parent: PARENT,
        displayName: `Bench case ${i}`,
        description: `Seeded case ${i}.`,
        priority: 'P3',
        createTime: at,
      });
      const r = b.sn.createRecord(table, {
        short_description: `Bench case ${i}`,
        description: `CONTENT MIRRORED FROM GOOGLE SUPPORT:\nSeeded case ${i}.`,
        correlation_id: gc.name,
        fields: { correlation_display: 'Google Cloud Support' },
      });
      await b.store.insert({
        googleCaseName: gc.name,
        companyCaseID: r.sys_id,
        companyCaseKey: r.number,
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
      pairs.push({ caseName: gc.name, sysId: r.sys_id });
    }
  } finally {
    b.clock.offsetMs = 0;
  }
  return pairs;
}

async function cycle(b: Bench) {
  const g0 = b.google.stats().total;
  const s0 = b.sn.stats().requests;
  const q0 = b.queue.count;
  b.store.reset();
  const t0 = performance.now();
  for (const path of ['/tasks/poll-google', '/tasks/poll-company']) {
    const status = await b.get(path);
    if (status !== 200) throw new Error(`${path} answered ${status}`);
  }
  return {
    googleCalls: b.google.stats().total - g0,
    serviceNowCalls: b.sn.stats().requests - s0,
    store: b.store.counts(),
    enqueued: b.queue.count - q0,
    wallMs: performance.now() - t0,
  };
}

/**
 * Runs each size with each changed count, for each table. With `changed` > 0, people
 * comment on that many Google cases and add that many journal entries in ServiceNow
 * (different pairs), and a file is attached to one more record (an attachment-only change).
 */
export async function runPollCostServiceNow(
  sizes: readonly number[],
  changedCounts: readonly number[],
  tables: readonly ServiceNowTable[] = ['incident'],
): Promise<{ rows: Row[]; results: ServiceNowPollResult[] }> {
  const results: ServiceNowPollResult[] = [];
  for (const table of tables) {
    for (const n of sizes) {
      const b = await start(table);
      try {
        const pairs = await seed(b, table, n, new Date(Date.now() - 2 * 60 * 60 * 1000));
        const g0 = await b.store.getGlobal();
        const minuteAgo = new Date(Date.now() - 60_000);
        await b.store.saveGlobal(
          { google_last_polled_at: minuteAgo, company_last_polled_at: minuteAgo },
          g0.version,
        );
        const first = await cycle(b);
        for (const changed of changedCounts) {
          for (let i = 0; i < changed; i++) {
            const g = pairs[i % pairs.length];
            const s = pairs[(i + changed) % pairs.length];
            if (g) b.google.addComment(g.caseName, { body: `Any news? ${i}`, displayName: 'Alex' });
            if (s) b.sn.addJournal(s.sysId, { body: `Any news? ${i}`, authorName: 'Sam' });
          }
          const attached = changed > 0 ? pairs[(2 * changed) % pairs.length] : undefined;
          if (attached)
            b.sn.addAttachment(attached.sysId, { filename: 'a.txt', content: Buffer.from('a') });
          const c = await cycle(b);
          results.push({
            table,
            mappings: n,
            changed,
            ...c,
            firstCycleServiceNowCalls: first.serviceNowCalls,
          });
        }
      } finally {
        await b.close();
      }
    }
  }
  return { rows: serviceNowPollRows(results), results };
}

function serviceNowPollRows(results: readonly ServiceNowPollResult[]): Row[] {
  return results.flatMap((r) => {
    const scen = `servicenow ${r.table}: ${r.mappings.toLocaleString('en-US')} open, ${r.changed} changed/side`;
    const upstream = r.googleCalls + r.serviceNowCalls;
    const idle = r.changed === 0;
    return [
      row(
        '1',
        scen,
        'upstream calls per cycle (google + servicenow)',
        `${upstream} (${r.googleCalls} + ${r.serviceNowCalls})`,
        idle
          ? {
              text: `≤ ${SERVICENOW_POLL_BAR_UPSTREAM} (§5's 2 + sys_attachment)`,
              ok: upstream <= SERVICENOW_POLL_BAR_UPSTREAM,
              count: true,
            }
          : undefined,
      ),
      row(
        '1',
        scen,
        'store ops reads+writes (entities r/w)',
        `${r.store.reads}+${r.store.writes} = ${r.store.total} (${r.store.entitiesRead}/${r.store.entitiesWritten})`,
        idle
          ? { text: `≤ ${POLL_BAR_STORE}`, ok: r.store.total <= POLL_BAR_STORE, count: true }
          : undefined,
      ),
      row('1', scen, 'sync tasks enqueued', r.enqueued, {
        // Each side's changed pairs, plus the record that only got a file.
        text: `= ${idle ? 0 : 2 * r.changed + 1}`,
        ok: r.enqueued === (idle ? 0 : 2 * r.changed + 1),
        count: true,
      }),
      row('1', scen, 'wall time poll-google + poll-company', ms(r.wallMs)),
      row(
        '1',
        scen,
        'first cycle after boot: servicenow calls (fields check, OAuth token)',
        r.firstCycleServiceNowCalls,
      ),
    ];
  });
}
