// Section 5: catch-up after an outage. N linked pairs each get 10 new Google comments, then
// one sync task per pair is enqueued at once through the real local queue built from
// queue.yaml (rate, bucket, max_concurrent_requests, retries). queue.yaml's 30 tasks/min
// would make 1,000 tasks take 33 minutes of real time, so the queue runs on a clock 100×
// faster (as tests/support/e2e-harness.ts does); the connector and the simulators keep real
// time. Reported: wall time, the queue's own (scaled) time, and the production estimate.
import path from 'node:path';
import { startServer } from '../src/server';
import { MemoryMappingStore } from '../src/adapters/local/memory-mapping-store';
import { loadQueueConfig, type QueueSettings } from '../src/adapters/local/gae-yaml';
import { systemTimer } from '../src/adapters/local/local-task-queue';
import { CountingMappingStore } from './counting-store';
import { REPO } from './proc';
import { formatNumber, ms, row, type Row } from './table';
import {
  connectorEnv,
  googleCounts,
  jiraCounts,
  quietLogger,
  resetCounts,
  seedPairs,
  since,
  startSims,
} from './world';

export const QUEUE_CLOCK_FACTOR = 100;
const COMMENTS_PER_CASE = 10;

function syncQueue(): QueueSettings {
  const queues = loadQueueConfig(path.join(REPO, 'queue.yaml'));
  const q = queues.find((x) => x.name === 'sync') ?? queues[0];
  if (!q) throw new Error('queue.yaml defines no queue');
  return q;
}

export async function runCatchUp(cases: number): Promise<Row[]> {
  const q = syncQueue();
  const sims = await startSims();
  const store = new CountingMappingStore(new MemoryMappingStore());
  const { logger, counts: logCounts } = quietLogger();
  const epoch = Date.now();
  const connector = await startServer(connectorEnv(sims), {
    logger,
    store,
    localQueueOptions: {
      clock: { now: () => new Date(epoch + (Date.now() - epoch) * QUEUE_CLOCK_FACTOR) },
      setTimer: (fn, delay) => systemTimer(fn, delay / QUEUE_CLOCK_FACTOR),
    },
  });
  try {
    const queue = connector.localQueue;
    if (!queue) throw new Error('the connector did not start its local queue');
    // Linked pairs last synced two hours ago; then the outage: 10 comments on each case.
    const pairs = await seedPairs(sims, store, cases, new Date(Date.now() - 2 * 60 * 60 * 1000));
    for (const p of pairs) {
      for (let i = 0; i < COMMENTS_PER_CASE; i++) {
        sims.google.addComment(p.caseName, {
          body: `catch-up ${i}: still failing after the restart.`,
          displayName: 'Alex (Google Support)',
        });
      }
    }
    resetCounts(sims, store);
    const queueClock0 = epoch + (Date.now() - epoch) * QUEUE_CLOCK_FACTOR;
    const t0 = performance.now();
    await Promise.all(
      pairs.map((p) => connector.queue.enqueue({ kind: 'sync-google-case', caseName: p.caseName })),
    );
    await queue.idle();
    const wallMs = since(t0);
    const queueMs = epoch + (Date.now() - epoch) * QUEUE_CLOCK_FACTOR - queueClock0;
    const g = googleCounts(sims);
    const j = jiraCounts(sims);
    const s = store.counts();
    const stats = queue.stats();

    // Converged: every ticket holds exactly its case's 10 comments, each once.
    let mirrored = 0;
    let exact = 0;
    for (const p of pairs) {
      const bodies = (sims.jira.getIssue(p.issueKey)?.comments ?? [])
        .filter((c) => c.bodyText.startsWith('[Google Comment'))
        .map((c) => c.bodyText.split('\n')[0] ?? '');
      mirrored += bodies.length;
      if (bodies.length === COMMENTS_PER_CASE && new Set(bodies).size === COMMENTS_PER_CASE)
        exact += 1;
    }
    const expected = cases * COMMENTS_PER_CASE;
    const rateBoundS = Math.max(0, cases - q.bucketSize) / q.ratePerSecond;
    const prodEstimateS = Math.max(rateBoundS, wallMs / 1000);
    const scen = `${formatNumber(cases)} cases × ${COMMENTS_PER_CASE} comments (rate ${q.ratePerSecond * 60}/min, ${q.maxConcurrentRequests} at once)`;
    return [
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
        'upstream calls (google + jira)',
        `${formatNumber(g.calls + j.calls)} (${formatNumber(g.calls)} + ${formatNumber(j.calls)})`,
      ),
      row(
        '5',
        scen,
        'upstream calls per mirrored comment',
        (g.calls + j.calls) / Math.max(1, mirrored),
      ),
      row(
        '5',
        scen,
        'store ops reads+writes (+ leases)',
        `${formatNumber(s.reads)}+${formatNumber(s.writes)} (+${formatNumber(s.leases)})`,
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
        `wall time to converge (queue clock ×${QUEUE_CLOCK_FACTOR})`,
        `${ms(wallMs)} (${formatNumber(cases / (wallMs / 1000))} tasks/s)`,
      ),
      row(
        '5',
        scen,
        'queue-clock time (what the queue saw)',
        `${(queueMs / 60_000).toFixed(1)} min`,
      ),
      row(
        '5',
        scen,
        'production estimate: max(N ÷ rate, wall)',
        `${(prodEstimateS / 60).toFixed(1)} min (rate bound ${(rateBoundS / 60).toFixed(1)} min)`,
      ),
      row(
        '5',
        scen,
        'connector WARNING / ERROR log lines',
        `${logCounts.WARNING ?? 0} / ${logCounts.ERROR ?? 0}`,
      ),
    ];
  } finally {
    await connector.close();
    await sims.close();
  }
}
