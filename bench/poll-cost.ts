// Section 1: cost of one poll cycle (poll-google + poll-company) against N open mappings,
// with 0 and 10 changed cases per side, and the reference design's strategy (write every
// open mapping's synced-at time each minute) as a baseline on the same store; once per CRM
// (Jira, Zendesk), with SPEC §5's bars for both. On Zendesk the company poll is the cursor
// export, which allows 10 requests a minute: its requests per cycle are shown against that.
import { ConflictError } from '../src/domain/errors';
import type { CaseMapping } from '../src/domain/mapping';
import type { MappingStore } from '../src/ports/mapping-store';
import type { Page } from '../src/ports/support-cases';
import { googleSupportCasesForEmulator } from '../src/adapters/google/google-support-cases';
import type { StoreCounts } from './counting-store';
import { median } from './proc';
import { ms, row, type Row } from './table';
import {
  googleCounts,
  jiraCounts,
  PARENT,
  resetCounts,
  seedPairs,
  seedZendeskPairs,
  since,
  startInProcessConnector,
  startInProcessZendeskConnector,
  startSims,
  startZendeskSims,
  ZendeskCounter,
  type InProcessConnector,
} from './world';

/** Bars of SPEC §5 for a poll cycle with nothing changed (any CRM). */
export const POLL_BAR_UPSTREAM = 2;
export const POLL_BAR_STORE = 5;
/** Zendesk's incremental export: 10 requests a minute; the company poll runs once a minute. */
export const ZENDESK_EXPORT_PER_MINUTE = 10;
const EXPORT_ROUTE = 'GET /api/v2/incremental/tickets/cursor';
/** Unsynced tickets changed in the busy-account scenario (the export's pages hold 100). */
const UNSYNCED_TICKETS = 250;

export type PollCrm = 'jira' | 'zendesk';

/** One CRM's simulators, seeded pairs and in-process connector, as section 1 drives them. */
interface PollWorld {
  readonly crm: PollCrm;
  readonly conn: InProcessConnector;
  /** Holds the Google simulator (its counts and host). */
  readonly google: Parameters<typeof googleCounts>[0];
  /** CRM requests since the last reset (all; the export's alone). */
  deskCalls(): { calls: number; exportCalls: number };
  resetCounts(): void;
  /** People comment on `changed` cases and on `changed` other pairs' tickets. */
  change(changed: number): void;
  /** Before each measured cycle: Zendesk's minute passes (its export budget is per minute). */
  nextMinute(): void;
  /** Zendesk: people change `k` tickets that do not sync (the export returns them too). */
  unsyncedChanges?(k: number): void;
  close(): Promise<void>;
}

async function startPollWorld(crm: PollCrm, n: number, seededAt: Date): Promise<PollWorld> {
  if (crm === 'jira') {
    const sims = await startSims();
    const conn = await startInProcessConnector(sims);
    const pairs = await seedPairs(sims, conn.store, n, seededAt);
    return {
      crm,
      conn,
      google: sims,
      deskCalls: () => ({ calls: jiraCounts(sims).calls, exportCalls: 0 }),
      resetCounts: () => resetCounts(sims, conn.store),
      change: (changed) => {
        for (let i = 0; i < changed; i++) {
          const g = pairs[i % pairs.length];
          const c = pairs[(i + changed) % pairs.length];
          if (g)
            sims.google.addComment(g.caseName, { body: `Any news? ${i}`, displayName: 'Alex' });
          if (c) sims.jira.addComment(c.issueKey, { body: `Any news? ${i}`, displayName: 'Sam' });
        }
      },
      nextMinute: () => undefined,
      close: async () => {
        await conn.close();
        await sims.close();
      },
    };
  }
  const sims = await startZendeskSims();
  const conn = await startInProcessZendeskConnector(sims);
  // The OAuth token is granted once per lifetime (an hour), not per cycle: take it first.
  await conn.crm.get('1');
  const pairs = await seedZendeskPairs(sims, conn.store, n, seededAt);
  const zendesk = new ZendeskCounter(sims.zendesk);
  return {
    crm,
    conn,
    google: sims,
    deskCalls: () => {
      const c = zendesk.counts();
      return { calls: c.calls, exportCalls: c.byRoute[EXPORT_ROUTE] ?? 0 };
    },
    resetCounts: () => {
      sims.google.resetStats();
      zendesk.reset();
      conn.store.reset();
    },
    change: (changed) => {
      for (let i = 0; i < changed; i++) {
        const g = pairs[i % pairs.length];
        const c = pairs[(i + changed) % pairs.length];
        if (g) sims.google.addComment(g.caseName, { body: `Any news? ${i}`, displayName: 'Alex' });
        if (c) sims.zendesk.addComment(c.ticketId, { body: `Any news? ${i}`, authorName: 'Sam' });
      }
    },
    nextMinute: () => {
      sims.clock.offsetMs += 60_000;
    },
    unsyncedChanges: (k) => {
      for (let i = 0; i < k; i++)
        sims.zendesk.createTicket({ subject: `Printer ${i}`, description: 'Out of toner.' });
    },
    close: async () => {
      await conn.close();
      await sims.close();
    },
  };
}

interface SideCost {
  readonly googleCalls: number;
  readonly deskCalls: number;
  readonly exportCalls: number;
  readonly store: StoreCounts;
  readonly enqueued: number;
  wallMs: number;
}

interface CycleCost {
  readonly google: SideCost;
  readonly company: SideCost;
}

export interface PollResult {
  readonly crm: PollCrm;
  readonly mappings: number;
  /** Tickets changed in the CRM that do not sync (Zendesk's export still reads them). */
  readonly unsynced?: number;
  readonly changed: number;
  readonly ours: CycleCost;
  readonly reference: CycleCost;
}

/**
 * Runs every size with each changed count. The counts come from the first poll of each
 * scenario; with nothing changed the poll is repeated `reps` times and the wall time is the
 * median (a repeat sees the same nothing), with changes it is the single first run.
 */
export async function runPollCost(
  sizes: readonly number[],
  changedCounts: readonly number[],
  reps = 1,
  crms: readonly PollCrm[] = ['jira', 'zendesk'],
): Promise<{ rows: Row[]; results: PollResult[] }> {
  const results: PollResult[] = [];
  for (const crm of crms) {
    for (const n of sizes) {
      const seededAt = new Date(Date.now() - 2 * 60 * 60 * 1000);
      const w = await startPollWorld(crm, n, seededAt);
      const { conn } = w;
      try {
        // The connector last polled a minute ago; the seeds are older than both windows.
        const g0 = await conn.store.getGlobal();
        const minuteAgo = new Date(Date.now() - 60_000);
        await conn.store.saveGlobal(
          { google_last_polled_at: minuteAgo, company_last_polled_at: minuteAgo },
          g0.version,
        );
        for (const changed of changedCounts) {
          // People comment on `changed` cases on each side (different pairs on each side).
          if (changed > 0) w.change(changed);
          const ours = await ourCycle(w);
          if (changed === 0 && reps > 1) {
            const g: number[] = [ours.google.wallMs];
            const c: number[] = [ours.company.wallMs];
            for (let i = 1; i < reps; i++) {
              const again = await ourCycle(w);
              g.push(again.google.wallMs);
              c.push(again.company.wallMs);
            }
            ours.google.wallMs = median(g);
            ours.company.wallMs = median(c);
          }
          const reference = await referenceCycle(w);
          results.push({ crm, mappings: n, changed, ours, reference });
        }
        if (w.unsyncedChanges) {
          // A busy account: the export pages through every ticket changed in the window,
          // synced or not (the last scenario's changes are still in the window too).
          w.unsyncedChanges(UNSYNCED_TICKETS);
          const changed = changedCounts.at(-1) ?? 0;
          const ours = await ourCycle(w);
          const reference = await referenceCycle(w);
          results.push({ crm, mappings: n, changed, unsynced: UNSYNCED_TICKETS, ours, reference });
        }
      } finally {
        await w.close();
      }
    }
  }
  return { rows: pollRows(results), results };
}

async function ourSide(w: PollWorld, path: string): Promise<SideCost> {
  const { conn } = w;
  w.resetCounts();
  const queued = conn.queue.tasks.length;
  const t0 = performance.now();
  const res = await conn.get(path);
  const wallMs = since(t0);
  if (res.status !== 200) throw new Error(`${w.crm} ${path} answered ${res.status}`);
  const desk = w.deskCalls();
  return {
    googleCalls: googleCounts(w.google).calls,
    deskCalls: desk.calls,
    exportCalls: desk.exportCalls,
    store: conn.store.counts(),
    enqueued: conn.queue.tasks.length - queued,
    wallMs,
  };
}

async function ourCycle(w: PollWorld): Promise<CycleCost> {
  w.nextMinute();
  const google = await ourSide(w, '/tasks/poll-google');
  const company = await ourSide(w, '/tasks/poll-company');
  return { google, company };
}

// --- the reference design's poll ------------------------------------------------------------

interface RefItem {
  readonly ref: string;
}

/**
 * The reference's PollGoogleForUpdates / PollCompanyForUpdates, store side as written there:
 * search (same adapters, same pages), look up each item's mapping and enqueue it, then
 * "for each open CaseMapping not recently updated, update …UpdatesSyncedAt to the current
 * time" (list the open mappings and write each one not just found by the search), then
 * update the Global's last-polled time.
 */
async function referencePoll(
  store: MappingStore,
  side: 'google' | 'company',
  search: (since: Date, token?: string) => Promise<Page<RefItem>>,
  windowMs: number,
  enqueue: (ref: string) => void,
): Promise<void> {
  const now = new Date();
  const global = await store.getGlobal();
  const last = side === 'google' ? global.google_last_polled_at : global.company_last_polled_at;
  const from = new Date((last ?? now).getTime() - windowMs);
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await search(from, token);
    for (const item of page.items) {
      seen.add(item.ref);
      if (side === 'google') await store.findByGoogleCase(item.ref);
      else await store.findByCompanyCase(item.ref);
      enqueue(item.ref);
    }
    token = page.nextPageToken;
  } while (token);
  let openToken: string | undefined;
  do {
    const page = await store.listOpen(openToken);
    for (const m of page.items) {
      const ref = side === 'google' ? m.googleCaseName : m.companyCaseID;
      if (ref !== null && seen.has(ref)) continue;
      const next: CaseMapping =
        side === 'google'
          ? { ...m, googleUpdatesSyncedAt: now }
          : { ...m, companyUpdatesSyncedAt: now };
      try {
        await store.update(next);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    openToken = page.nextPageToken;
  } while (openToken);
  const polled =
    side === 'google'
      ? { google_last_polled_at: now, company_last_polled_at: global.company_last_polled_at }
      : { google_last_polled_at: global.google_last_polled_at, company_last_polled_at: now };
  await store.saveGlobal(polled, global.version);
}

async function referenceCycle(w: PollWorld): Promise<CycleCost> {
  const { conn } = w;
  w.nextMinute();
  const support = googleSupportCasesForEmulator(w.google.google.host, w.google.google.token);
  const settings = conn.config.settings;
  const side = async (which: 'google' | 'company'): Promise<SideCost> => {
    w.resetCounts();
    let enqueued = 0;
    const t0 = performance.now();
    if (which === 'google') {
      await referencePoll(
        conn.store,
        'google',
        async (from, token) => {
          const page = await support.searchUpdated(PARENT, from, token);
          return {
            items: page.items.map((c) => ({ ref: c.name })),
            nextPageToken: page.nextPageToken,
          };
        },
        settings.googlePollingWindowMs,
        () => (enqueued += 1),
      );
    } else {
      await referencePoll(
        conn.store,
        'company',
        async (from, token) => {
          const page = await conn.crm.searchUpdated(from, token);
          return {
            items: page.items.map((t) => ({ ref: t.id })),
            nextPageToken: page.nextPageToken,
          };
        },
        settings.companyPollingWindowMs,
        () => (enqueued += 1),
      );
    }
    const wallMs = since(t0);
    const desk = w.deskCalls();
    return {
      googleCalls: googleCounts(w.google).calls,
      deskCalls: desk.calls,
      exportCalls: desk.exportCalls,
      store: conn.store.counts(),
      enqueued,
      wallMs,
    };
  };
  const google = await side('google');
  const company = await side('company');
  return { google, company };
}

// --- rows -------------------------------------------------------------------------------------

function cycleTotals(c: CycleCost) {
  return {
    google: c.google.googleCalls + c.company.googleCalls,
    desk: c.google.deskCalls + c.company.deskCalls,
    exports: c.google.exportCalls + c.company.exportCalls,
    upstream:
      c.google.googleCalls + c.company.googleCalls + c.google.deskCalls + c.company.deskCalls,
    store: c.google.store.total + c.company.store.total,
    reads: c.google.store.reads + c.company.store.reads,
    writes: c.google.store.writes + c.company.store.writes,
    entitiesRead: c.google.store.entitiesRead + c.company.store.entitiesRead,
    entitiesWritten: c.google.store.entitiesWritten + c.company.store.entitiesWritten,
    wallMs: c.google.wallMs + c.company.wallMs,
    enqueued: c.google.enqueued + c.company.enqueued,
  };
}

function pollRows(results: readonly PollResult[]): Row[] {
  const rows: Row[] = [];
  for (const r of results) {
    const scen =
      `${r.crm}: ${r.mappings.toLocaleString('en-US')} open, ${r.changed} changed/side` +
      (r.unsynced ? ` + ${r.unsynced} unsynced tickets` : '');
    const o = cycleTotals(r.ours);
    const ref = cycleTotals(r.reference);
    const barred = r.changed === 0 && !r.unsynced;
    rows.push(
      row(
        '1',
        scen,
        `upstream calls per cycle (google + ${r.crm})`,
        `${o.upstream} (${o.google} + ${o.desk})`,
        barred
          ? { text: `≤ ${POLL_BAR_UPSTREAM}`, ok: o.upstream <= POLL_BAR_UPSTREAM, count: true }
          : undefined,
      ),
    );
    if (r.crm === 'zendesk')
      rows.push(
        row('1', scen, 'zendesk export requests per cycle (a cycle a minute)', o.exports, {
          text: `≤ ${ZENDESK_EXPORT_PER_MINUTE}/min`,
          ok: o.exports <= ZENDESK_EXPORT_PER_MINUTE,
          count: true,
        }),
      );
    rows.push(
      row(
        '1',
        scen,
        'store ops reads+writes (entities r/w)',
        `${o.reads}+${o.writes} = ${o.store} (${o.entitiesRead}/${o.entitiesWritten})`,
        barred
          ? { text: `≤ ${POLL_BAR_STORE}`, ok: o.store <= POLL_BAR_STORE, count: true }
          : undefined,
      ),
      row('1', scen, 'sync tasks enqueued', o.enqueued, {
        text: `= ${2 * r.changed}`,
        ok: o.enqueued === 2 * r.changed,
        count: true,
      }),
      row(
        '1',
        scen,
        'wall time poll-google + poll-company',
        `${ms(r.ours.google.wallMs)} + ${ms(r.ours.company.wallMs)}`,
      ),
      row(
        '1',
        scen,
        'reference: store ops reads+writes (entities r/w)',
        `${ref.reads}+${ref.writes} = ${ref.store} (${ref.entitiesRead}/${ref.entitiesWritten})`,
      ),
      row(
        '1',
        scen,
        `reference: upstream calls (google + ${r.crm}), wall time`,
        `${ref.upstream} (${ref.google} + ${ref.desk}), ${ms(ref.wallMs)}`,
      ),
      row(
        '1',
        scen,
        'reference ÷ ours: store ops (entity writes)',
        `${(ref.store / Math.max(1, o.store)).toFixed(0)}× (${(ref.entitiesWritten / Math.max(1, o.entitiesWritten)).toFixed(0)}×)`,
      ),
    );
  }
  return rows;
}
