// The status page's use-cases: pause, resume and "sync now" for one pair, the sync tasks'
// paused check, and the record of a sync's failure (its error class and kind only).
import { ConflictError, SyncError } from '../domain/errors';
import type { CaseMapping, TaskRun } from '../domain/mapping';
import { caseInScope } from '../domain/plan-link';
import type { TaskDeps, TaskOutcome } from './deps';
import { syncCompanyCase, syncGoogleCase, syncPair } from './sync-pair';

/** What the status page may touch: the store, the queue, the clock and the log. */
export type AdminDeps = Pick<TaskDeps, 'store' | 'queue' | 'clock' | 'log'>;

export type AdminAction = 'pause' | 'resume' | 'sync-now';

export type AdminResult =
  | { readonly ok: true; readonly mapping: CaseMapping; readonly enqueued: number }
  | { readonly ok: false; readonly reason: 'not-found' | 'resolved' | 'busy' };

/** Attempts of an optimistic write that lost to a concurrent save (a sync, a poll). */
const WRITE_ATTEMPTS = 3;

/**
 * Applies one operator action to a pair and logs it at INFO with the operator's email.
 * Resuming also enqueues both syncs: changes made while paused may be older than the
 * polls' windows, and a sync catches up on everything since the pair's last sync.
 */
export async function applyAdminAction(
  deps: AdminDeps,
  action: AdminAction,
  mappingId: string,
  user: string,
): Promise<AdminResult> {
  for (let attempt = 1; ; attempt += 1) {
    const m = await deps.store.get(mappingId);
    if (!m) return { ok: false, reason: 'not-found' };
    if (m.resolvedAt && action !== 'resume') return { ok: false, reason: 'resolved' };
    try {
      let mapping = m;
      if (action === 'pause' && !m.pausedAt)
        mapping = await deps.store.update({ ...m, pausedAt: deps.clock.now() });
      if (action === 'resume' && m.pausedAt)
        mapping = await deps.store.update({ ...m, pausedAt: null });
      const enqueued = action === 'pause' ? 0 : await enqueueBothSyncs(deps, mapping, action);
      deps.log.info({ action, mappingId, user, enqueued }, 'admin action');
      return { ok: true, mapping, enqueued };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      if (attempt >= WRITE_ATTEMPTS) return { ok: false, reason: 'busy' };
    }
  }
}

async function enqueueBothSyncs(deps: AdminDeps, m: CaseMapping, action: string): Promise<number> {
  const stamp = `${action}-${m.id}-${deps.clock.now().getTime()}`;
  let n = 0;
  if (m.googleCaseName) {
    await deps.queue.enqueue(
      { kind: 'sync-google-case', caseName: m.googleCaseName },
      { dedupKey: `admin-google-${stamp}` },
    );
    n += 1;
  }
  if (m.companyCaseID) {
    await deps.queue.enqueue(
      { kind: 'sync-company-case', caseId: m.companyCaseID },
      { dedupKey: `admin-company-${stamp}` },
    );
    n += 1;
  }
  return n;
}

const PAUSED: TaskOutcome = { outcome: 'skipped', reason: 'paused' };

/** POST /tasks/sync-google-case: skipped while the pair is paused, else syncGoogleCase. */
export async function syncGoogleCaseUnlessPaused(
  deps: TaskDeps,
  caseName: string,
): Promise<TaskOutcome> {
  // The same first read as syncGoogleCase: the check costs no extra store operation.
  const m = caseInScope(caseName, deps.settings)
    ? await deps.store.findByGoogleCase(caseName)
    : null;
  if (!m) return syncGoogleCase(deps, caseName);
  if (m.pausedAt) return PAUSED;
  return syncPair(deps, m.id);
}

/** POST /tasks/sync-company-case: skipped while the pair is paused, else syncCompanyCase. */
export async function syncCompanyCaseUnlessPaused(
  deps: TaskDeps,
  caseId: string,
): Promise<TaskOutcome> {
  const m = await deps.store.findByCompanyCase(caseId);
  if (!m) return syncCompanyCase(deps, caseId);
  if (m.pausedAt) return PAUSED;
  return syncPair(deps, m.id);
}

/** `Class/kind` of an error: what the store and the page may show (never its message). */
export function errorClass(e: unknown): string {
  const name = e instanceof Error ? e.name : 'unknown';
  return `${name}/${e instanceof SyncError ? e.kind : 'unexpected'}`;
}

/**
 * Remembers on the pair that its sync failed (one write, on failures only). A lost lease
 * race is not a failure; a write that loses to a concurrent save is given up (the next
 * failure records it again).
 */
export async function recordSyncFailure(
  deps: AdminDeps,
  ref: { readonly caseName: string } | { readonly caseId: string },
  error: unknown,
): Promise<void> {
  if (error instanceof ConflictError) return;
  try {
    const m =
      'caseName' in ref
        ? await deps.store.findByGoogleCase(ref.caseName)
        : await deps.store.findByCompanyCase(ref.caseId);
    if (!m) return;
    await deps.store.update({ ...m, lastError: errorClass(error), lastErrorAt: deps.clock.now() });
  } catch (e) {
    deps.log.warn({ error: errorClass(e) }, 'sync failure not recorded on the pair');
  }
}

/**
 * A task route's summary as a TaskRun, or null for a run that found and did nothing or
 * lost a race (cheaper: an idle poll or an unchanged re-sync stays without a store write; the page
 * shows the polls' last times from Global instead).
 */
export function taskRunOf(
  task: string,
  ref: string | null,
  at: Date,
  result: { readonly outcome: TaskOutcome } | { readonly error: unknown },
): TaskRun | null {
  if ('error' in result) {
    // A lost lease or optimistic write is retried by the queue: not a failure to show.
    if (result.error instanceof ConflictError) return null;
    return { task, at, outcome: 'failed', ref, reason: errorClass(result.error), counts: {} };
  }
  const r = result.outcome;
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'number') counts[k] = v;
  const busy = Object.values(counts).some((v) => v > 0);
  if (r.outcome === 'done' && !busy) return null;
  const reason = typeof r.reason === 'string' ? r.reason : null;
  return { task, at, outcome: r.outcome, ref, reason, counts };
}
