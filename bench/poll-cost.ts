// Section 1: cost of one poll cycle (poll-google + poll-company) against N open mappings,
// with 0 and 10 changed cases per side, and the reference design's strategy (write every
// open mapping's synced-at time each minute) as a baseline on the same store.
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
  since,
  startInProcessConnector,
  startSims,
  type InProcessConnector,
  type Sims,
} from './world';

/** Bars of SPEC §5 for a poll cycle with nothing changed. */
export const POLL_BAR_UPSTREAM = 2;
export const POLL_BAR_STORE = 5;

interface SideCost {
  readonly googleCalls: number;
  readonly jiraCalls: number;
  readonly store: StoreCounts;
  readonly enqueued: number;
  wallMs: number;
}

interface CycleCost {
  readonly google: SideCost;
  readonly company: SideCost;
}

export interface PollResult {
  readonly mappings: number;
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
): Promise<{ rows: Row[]; results: PollResult[] }> {
  const results: PollResult[] = [];
  for (const n of sizes) {
    const sims = await startSims();
    const conn = await startInProcessConnector(sims);
    try {
      const seededAt = new Date(Date.now() - 2 * 60 * 60 * 1000);
      const pairs = await seedPairs(sims, conn.store, n, seededAt);
      // The connector last polled a minute ago; the seeds are older than both windows.
      const g0 = await conn.store.getGlobal();
      const minuteAgo = new Date(Date.now() - 60_000);
      await conn.store.saveGlobal(
        { google_last_polled_at: minuteAgo, company_last_polled_at: minuteAgo },
        g0.version,
      );
      for (const changed of changedCounts) {
        if (changed > 0) {
          // People comment on `changed` cases on each side (different pairs on each side).
          for (let i = 0; i < changed; i++) {
            const g = pairs[i % pairs.length];
            const c = pairs[(i + changed) % pairs.length];
            if (g)
              sims.google.addComment(g.caseName, { body: `Any news? ${i}`, displayName: 'Alex' });
            if (c) sims.jira.addComment(c.issueKey, { body: `Any news? ${i}`, displayName: 'Sam' });
          }
        }
        const ours = await ourCycle(sims, conn);
        if (changed === 0 && reps > 1) {
          const g: number[] = [ours.google.wallMs];
          const c: number[] = [ours.company.wallMs];
          for (let i = 1; i < reps; i++) {
            const again = await ourCycle(sims, conn);
            g.push(again.google.wallMs);
            c.push(again.company.wallMs);
          }
          ours.google.wallMs = median(g);
          ours.company.wallMs = median(c);
        }
        const reference = await referenceCycle(sims, conn);
        results.push({ mappings: n, changed, ours, reference });
      }
    } finally {
      await conn.close();
      await sims.close();
    }
  }
  return { rows: pollRows(results), results };
}

async function ourSide(sims: Sims, conn: InProcessConnector, path: string): Promise<SideCost> {
  resetCounts(sims, conn.store);
  const queued = conn.queue.tasks.length;
  const t0 = performance.now();
  const res = await conn.get(path);
  const wallMs = since(t0);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return {
    googleCalls: googleCounts(sims).calls,
    jiraCalls: jiraCounts(sims).calls,
    store: conn.store.counts(),
    enqueued: conn.queue.tasks.length - queued,
    wallMs,
  };
}

async function ourCycle(sims: Sims, conn: InProcessConnector): Promise<CycleCost> {
  const google = await ourSide(sims, conn, '/tasks/poll-google');
  const company = await ourSide(sims, conn, '/tasks/poll-company');
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

async function referenceCycle(sims: Sims, conn: InProcessConnector): Promise<CycleCost> {
  const support = googleSupportCasesForEmulator(sims.google.host, sims.google.token);
  const settings = conn.config.settings;
  const side = async (which: 'google' | 'company'): Promise<SideCost> => {
    resetCounts(sims, conn.store);
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
    return {
      googleCalls: googleCounts(sims).calls,
      jiraCalls: jiraCounts(sims).calls,
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
    jira: c.google.jiraCalls + c.company.jiraCalls,
    upstream:
      c.google.googleCalls + c.company.googleCalls + c.google.jiraCalls + c.company.jiraCalls,
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
    const scen = `${r.mappings.toLocaleString('en-US')} open, ${r.changed} changed/side`;
    const o = cycleTotals(r.ours);
    const ref = cycleTotals(r.reference);
    const barred = r.changed === 0;
    rows.push(
      row(
        '1',
        scen,
        'upstream calls per cycle (google + jira)',
        `${o.upstream} (${o.google} + ${o.jira})`,
        barred
          ? { text: `≤ ${POLL_BAR_UPSTREAM}`, ok: o.upstream <= POLL_BAR_UPSTREAM, count: true }
          : undefined,
      ),
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
        'reference: upstream calls (google + jira), wall time',
        `${ref.upstream} (${ref.google} + ${ref.jira}), ${ms(ref.wallMs)}`,
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
