// Section 2: cost of one sync task that mirrors k new comments (each way), and of a re-sync
// of a pair where nothing changed (bar: 0 writes, upstream or store).
import { ms, row, type Row } from './table';
import {
  googleCounts,
  jiraCounts,
  PARENT,
  resetCounts,
  since,
  startInProcessConnector,
  startSims,
  type InProcessConnector,
  type Sims,
} from './world';

type Direction = 'google→jira' | 'jira→google';

interface Pair {
  readonly caseName: string;
  readonly issueId: string;
  readonly issueKey: string;
}

/** A pair made by the connector itself: a Google case, synced once to create its ticket, then once more. */
async function newPair(sims: Sims, conn: InProcessConnector, i: number): Promise<Pair> {
  const c = sims.google.createCase({
    parent: PARENT,
    displayName: `Sync bench ${i}`,
    description: 'Seeded.',
    priority: 'P3',
  });
  for (let round = 0; round < 2; round++) {
    const r = await conn.post('/tasks/sync-google-case', { caseName: c.name });
    if (r.status !== 200 || r.body.outcome !== 'done')
      throw new Error(`pair set-up sync answered ${r.status} ${String(r.body.outcome)}`);
  }
  const issue = sims.jira.listIssues().find((x) => x.labels.includes(`google-case-${c.number}`));
  if (!issue) throw new Error('the connector did not create the ticket');
  return { caseName: c.name, issueId: issue.id, issueKey: issue.key };
}

interface SyncCost {
  readonly googleCalls: number;
  readonly jiraCalls: number;
  readonly upstreamWrites: number;
  readonly reads: number;
  readonly writes: number;
  readonly leases: number;
  readonly mirrored: number;
  readonly wallMs: number;
}

async function measuredSync(
  sims: Sims,
  conn: InProcessConnector,
  pair: Pair,
  direction: Direction,
): Promise<SyncCost> {
  resetCounts(sims, conn.store);
  const t0 = performance.now();
  const r =
    direction === 'google→jira'
      ? await conn.post('/tasks/sync-google-case', { caseName: pair.caseName })
      : await conn.post('/tasks/sync-company-case', { caseId: pair.issueId });
  const wallMs = since(t0);
  if (r.status !== 200 || r.body.outcome !== 'done')
    throw new Error(`sync answered ${r.status} ${String(r.body.outcome)}`);
  const g = googleCounts(sims);
  const j = jiraCounts(sims);
  const s = conn.store.counts();
  return {
    googleCalls: g.calls,
    jiraCalls: j.calls,
    upstreamWrites: g.writes + j.writes,
    reads: s.reads,
    writes: s.writes,
    leases: s.leases,
    mirrored: typeof r.body.comments === 'number' ? r.body.comments : -1,
    wallMs,
  };
}

/** Mirrored copies of the source comments now on the target side. */
function mirroredOnTarget(sims: Sims, pair: Pair, direction: Direction, marker: string): number {
  if (direction === 'google→jira') {
    return (sims.jira.getIssue(pair.issueKey)?.comments ?? []).filter(
      (c) => c.bodyText.startsWith('[Google Comment') && c.bodyText.includes(marker),
    ).length;
  }
  return sims.google
    .getCase(pair.caseName)
    .comments.filter((c) => c.body.startsWith('[Company Comment') && c.body.includes(marker))
    .length;
}

export async function runSyncCost(ks: readonly number[]): Promise<Row[]> {
  const rows: Row[] = [];
  const sims = await startSims();
  const conn = await startInProcessConnector(sims);
  try {
    let i = 0;
    for (const direction of ['google→jira', 'jira→google'] as const) {
      let last: Pair | null = null;
      for (const k of ks) {
        const pair = await newPair(sims, conn, i++);
        const marker = `bench-${direction === 'google→jira' ? 'g' : 'j'}-${k}`;
        for (let n = 0; n < k; n++) {
          const body = `${marker} comment ${n}: the logs show the same timeout again.`;
          if (direction === 'google→jira')
            sims.google.addComment(pair.caseName, { body, displayName: 'Alex (Google Support)' });
          else sims.jira.addComment(pair.issueKey, { body, displayName: 'Sam' });
        }
        const c = await measuredSync(sims, conn, pair, direction);
        const onTarget = mirroredOnTarget(sims, pair, direction, marker);
        const upstream = c.googleCalls + c.jiraCalls;
        const scen = `${direction}, ${k} new comment${k === 1 ? '' : 's'}`;
        rows.push(
          row(
            '2',
            scen,
            'upstream calls (google + jira)',
            `${upstream} (${c.googleCalls} + ${c.jiraCalls})`,
          ),
          row('2', scen, 'upstream calls per mirrored comment', upstream / Math.max(1, k)),
          row(
            '2',
            scen,
            'store ops reads+writes (+ leases)',
            `${c.reads}+${c.writes} (+${c.leases})`,
          ),
          row('2', scen, 'comments mirrored, each once', `${onTarget}`, {
            text: `= ${k}`,
            ok: onTarget === k && c.mirrored === k,
            count: true,
          }),
          row('2', scen, 'wall time', ms(c.wallMs)),
        );
        last = pair;
      }
      if (last) {
        // Nothing changed since: the pair is synced again from each side.
        for (const from of ['google→jira', 'jira→google'] as const) {
          const c = await measuredSync(sims, conn, last, from);
          const scen = `re-sync unchanged (after ${direction}, task from ${from.split('→')[0]})`;
          rows.push(
            row(
              '2',
              scen,
              'upstream writes (reads: google + jira)',
              `${c.upstreamWrites} (${c.googleCalls} + ${c.jiraCalls})`,
              { text: '= 0', ok: c.upstreamWrites === 0, count: true },
            ),
            row(
              '2',
              scen,
              'store writes (reads; leases)',
              `${c.writes} (${c.reads}; ${c.leases})`,
              { text: '= 0', ok: c.writes === 0, count: true },
            ),
          );
        }
      }
    }
  } finally {
    await conn.close();
    await sims.close();
  }
  return rows;
}
