// A pushed event (webhook) only triggers a sync: it enqueues the sync task of one ticket or
// case, and the sync reads the truth as it does for the polls, which keep running. A storm
// of events for one ticket is coalesced in the queue by task names (Cloud Tasks refuses a
// name that is queued or ran recently), per window of `coalesceWindowMs`:
// - the first event of a window enqueues the window's leading sync, delivered at once;
// - a later event of that window (the leading name is taken) enqueues the window's trailing
//   sync, held until the window ends, so it reads every change of the window;
// - further events of the window find both names taken and enqueue nothing.
// So a ticket gets at most two syncs a window, and every event is followed by a sync that
// starts after it. A lost, repeated, forged or late event changes nothing but latency.
import type { PushSourceName, PushTrigger } from '../ports/push-source';
import type { SyncTask } from '../ports/task-queue';
import type { TaskDeps } from './deps';

export type PushDeps = Pick<TaskDeps, 'queue' | 'clock' | 'log'>;

/** `leading`: a sync now; `trailing`: one at the window's end; `coalesced`: both were queued. */
export type PushEdge = 'leading' | 'trailing' | 'coalesced';

export interface PushOutcome {
  readonly outcome: 'enqueued' | 'coalesced';
  readonly edge: PushEdge;
  readonly task: SyncTask['kind'];
  /** When the enqueued (or already queued) sync is due. */
  readonly dueAt: string;
}

export const DEFAULT_PUSH_COALESCE_WINDOW_MS = 10_000;

function taskOf(t: PushTrigger): { task: SyncTask; ref: string } {
  return t.side === 'company'
    ? { task: { kind: 'sync-company-case', caseId: t.caseId }, ref: `company-${t.caseId}` }
    : { task: { kind: 'sync-google-case', caseName: t.caseName }, ref: `google-${t.caseName}` };
}

/** Enqueues the coalesced sync a pushed event asks for; logs one line (ids only). */
export async function enqueuePushedSync(
  deps: PushDeps,
  source: PushSourceName,
  trigger: PushTrigger,
  coalesceWindowMs: number = DEFAULT_PUSH_COALESCE_WINDOW_MS,
): Promise<PushOutcome> {
  const { task, ref } = taskOf(trigger);
  const now = deps.clock.now().getTime();
  const windowMs = Math.max(1, coalesceWindowMs);
  const window = Math.floor(now / windowMs);
  const end = new Date((window + 1) * windowMs);
  const key = (edge: 'lead' | 'trail') => `push-${ref}-${windowMs}-${window}-${edge}`;
  let edge: PushEdge = 'leading';
  let dueAt = new Date(now);
  if ((await deps.queue.enqueue(task, { dedupKey: key('lead') })) === 'duplicate') {
    dueAt = end;
    const trail = await deps.queue.enqueue(task, { dedupKey: key('trail'), notBefore: end });
    edge = trail === 'duplicate' ? 'coalesced' : 'trailing';
  }
  const fields = {
    source,
    task: task.kind,
    ...(trigger.side === 'company' ? { caseId: trigger.caseId } : { caseName: trigger.caseName }),
    edge,
    dueAt: dueAt.toISOString(),
  };
  deps.log.info(fields, edge === 'coalesced' ? 'push coalesced' : 'push enqueued');
  return {
    outcome: edge === 'coalesced' ? 'coalesced' : 'enqueued',
    edge,
    task: task.kind,
    dueAt: dueAt.toISOString(),
  };
}

/**
 * The delivery ids seen recently, to drop a sender's repeats (a retry, a replay) before
 * they reach the queue. Per instance and bounded: an id forgotten or seen by another
 * instance only costs a coalesced enqueue.
 */
export class RecentDeliveries {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number = 60 * 60 * 1000,
    private readonly max: number = 10_000,
  ) {}

  /** Whether `id` was recorded within the TTL. */
  has(id: string, now: Date): boolean {
    const at = this.seen.get(id);
    return at !== undefined && now.getTime() - at < this.ttlMs;
  }

  record(id: string, now: Date): void {
    const t = now.getTime();
    this.seen.delete(id);
    this.seen.set(id, t);
    // Oldest first (insertion order): drop the expired, then the oldest beyond the bound.
    for (const [k, at] of this.seen) {
      if (this.seen.size <= this.max && t - at < this.ttlMs) break;
      this.seen.delete(k);
    }
  }
}
