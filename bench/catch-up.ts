// Section 5: catch-up after an outage, per CRM. N linked pairs each get 10 new Google
// comments, then one sync task per pair is enqueued at once through the real local queue
// built from queue.yaml, which is only a ceiling now (10 tasks/s, 20 at once): the pace is
// set by the upstream budgets (src/adapters/http/upstream-budget.ts) against simulators at
// their default rate limits (Jira's tenant burst bucket, 100 refilled at 40/s; Zendesk's
// Enterprise plan, 700 requests a minute; Google's project quota, 600 a minute). The queue,
// the connector and the simulators all run on real time, so the wall time is the sandbox's
// catch-up time. Reported: wall time, tasks/s, upstream calls, 429s and their share of the
// calls (bar < 1 %, a count bar), against the bar of 10 minutes for 1,000 cases.
import path from 'node:path';
import { startServer } from '../src/server';
import { MemoryMappingStore } from '../src/adapters/local/memory-mapping-store';
import { loadQueueConfig, type QueueSettings } from '../src/adapters/local/gae-yaml';
import { jiraDesk, zendeskDesk, type CatchUpDesk } from './catch-up-desks';
import { CountingMappingStore } from './counting-store';
import { REPO } from './proc';
import { formatNumber, ms, row, type Row } from './table';
import { quietLogger, since } from './world';

const COMMENTS_PER_CASE = 10;
/** The bar: 1,000 cases × 10 comments in at most 10 minutes. */
const BAR_CASES = 1_000;
const BAR_MS = 10 * 60_000;
/** 429s as a share of upstream calls: the bar (no 429 storm). */
const MAX_429_SHARE = 0.01;
/** Below this many cases the run is inside the first burst: too short to extrapolate. */
const MIN_CASES_FOR_BAR = 100;

function syncQueue(): QueueSettings {
  const queues = loadQueueConfig(path.join(REPO, 'queue.yaml'));
  const q = queues.find((x) => x.name === 'sync') ?? queues[0];
  if (!q) throw new Error('queue.yaml defines no queue');
  return q;
}

async function catchUpOn(desk: CatchUpDesk, cases: number): Promise<Row[]> {
  const q = syncQueue();
  const store = new CountingMappingStore(new MemoryMappingStore());
  const { logger, counts: logCounts } = quietLogger();
  const connector = await startServer(desk.env, { logger, store });
  try {
    const queue = connector.localQueue;
    if (!queue) throw new Error('the connector did not start its local queue');
    // Linked pairs last synced two hours ago; then the outage: 10 comments on each case.
    const pairs = await desk.seed(store, cases, new Date(Date.now() - 2 * 60 * 60 * 1000));
    for (const p of pairs) {
      for (let i = 0; i < COMMENTS_PER_CASE; i++) {
        desk.google.addComment(p.caseName, {
          body: `catch-up ${i}: still failing after the restart.`,
          displayName: 'Alex (Google Support)',
        });
      }
    }
    desk.resetStats();
    store.reset();
    const refused0 = desk.refusals();
    const t0 = performance.now();
    await Promise.all(
      pairs.map((p) => connector.queue.enqueue({ kind: 'sync-google-case', caseName: p.caseName })),
    );
    await queue.idle();
    const wallMs = since(t0);
    const refused1 = desk.refusals();
    const g429 = refused1.google - refused0.google;
    const d429 = refused1.desk - refused0.desk;
    const gCalls = desk.google.stats().total;
    const dCalls = desk.deskCalls();
    const calls = gCalls + dCalls;
    const share = (g429 + d429) / Math.max(1, calls);
    const stats = queue.stats();

    // Converged: every ticket holds exactly its case's 10 comments, each once.
    let mirrored = 0;
    let exact = 0;
    for (const p of pairs) {
      const lines = desk.mirrored(p.ticketId);
      mirrored += lines.length;
      if (lines.length === COMMENTS_PER_CASE && new Set(lines).size === COMMENTS_PER_CASE)
        exact += 1;
    }
    const expected = cases * COMMENTS_PER_CASE;
    const perCaseMs = wallMs / cases;
    const scen = `${desk.name}: ${formatNumber(cases)} cases × ${COMMENTS_PER_CASE} comments (ceiling ${q.ratePerSecond}/s, ${q.maxConcurrentRequests} at once)`;
    const rows = [
      row(
        '5',
        scen,
        'comments mirrored exactly once, in every case',
        `${formatNumber(mirrored)} (${formatNumber(exact)}/${formatNumber(cases)} cases exact)`,
        {
          text: `= ${formatNumber(expected)}`,
          ok: mirrored === expected && exact === cases,
          count: true,
        },
      ),
      row(
        '5',
        scen,
        `upstream calls (google + ${desk.name.toLowerCase()})`,
        `${formatNumber(calls)} (${formatNumber(gCalls)} + ${formatNumber(dCalls)})`,
      ),
      row(
        '5',
        scen,
        'upstream 429s (google + desk), share of calls',
        `${g429 + d429} (${g429} + ${d429}), ${(share * 100).toFixed(2)} %`,
        { text: `< ${MAX_429_SHARE * 100} %`, ok: share < MAX_429_SHARE, count: true },
      ),
      row(
        '5',
        scen,
        'tasks delivered / retried / given up',
        `${stats.delivered} / ${stats.retried} / ${stats.gaveUp}`,
      ),
      row(
        '5',
        scen,
        'catch-up wall time (real time throughout)',
        `${ms(wallMs)} (${(cases / (wallMs / 1000)).toFixed(2)} tasks/s, ${(calls / (wallMs / 1000)).toFixed(1)} calls/s)`,
        cases === BAR_CASES
          ? { text: `≤ ${BAR_MS / 60_000} min`, ok: wallMs <= BAR_MS }
          : undefined,
      ),
      row(
        '5',
        scen,
        `${formatNumber(BAR_CASES)} cases at this pace`,
        `${((perCaseMs * BAR_CASES) / 60_000).toFixed(1)} min${cases === BAR_CASES ? '' : ' (extrapolated)'}`,
        // A small run fits in the limits' first burst or minute: no bar from it.
        cases >= MIN_CASES_FOR_BAR
          ? { text: `≤ ${BAR_MS / 60_000} min`, ok: perCaseMs * BAR_CASES <= BAR_MS }
          : undefined,
      ),
      row(
        '5',
        scen,
        'connector WARNING / ERROR log lines',
        `${logCounts.WARNING ?? 0} / ${logCounts.ERROR ?? 0}`,
      ),
    ];
    return rows;
  } finally {
    await connector.close();
    await desk.close();
  }
}

/** Section 5 for both CRMs: `cases` for Jira, `zendeskCases` for Zendesk. */
export async function runCatchUp(cases: number, zendeskCases: number = cases): Promise<Row[]> {
  return [
    ...(await catchUpOn(await jiraDesk(), cases)),
    ...(await catchUpOn(await zendeskDesk(), zendeskCases)),
  ];
}
