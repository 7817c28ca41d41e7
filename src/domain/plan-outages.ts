import type { CaseMapping, Global, MirroredItem } from './mapping';
import type { Side } from './types';
import { isOutage } from './latency';
import { earliest, effectiveSyncedAt, isLinked } from './sync-state';
import { outageText, RESUMED_TEXT } from './texts';

export type OutageAction =
  | {
      readonly kind: 'notify';
      readonly on: Side;
      readonly text: string;
      readonly notice: 'outage' | 'resumed';
    }
  /** Remember when this outage started (once). */
  | { readonly kind: 'mark-outage'; readonly at: Date }
  /** Every side was told that syncing resumed: the outage is over. */
  | { readonly kind: 'end-outage' };

export interface OutagePlan {
  readonly outage: boolean;
  readonly actions: OutageAction[];
}

const SIDES: readonly Side[] = ['google', 'company'];

/** Prefix of the sourceId of recorded "Syncing has resumed." notices. */
export const RESUMED_NOTICE = 'resumed:';

/**
 * The reference's DetectOutages for one mapping. Recently added pairs (not linked yet, or
 * never synced) are ignored. An outage notice goes once per side (a side that cannot be
 * reached is tried again at the next run while the outage lasts). When the outage ends,
 * "Syncing has resumed." goes once to each side — also to a side that was down and never
 * got the outage notice, so both tickets say that syncing stopped and started again.
 * `records` are the pair's notice records (needed only once an outage has been marked).
 */
export function planOutage(
  m: CaseMapping,
  global: Global,
  now: Date,
  records: readonly MirroredItem[] = [],
): OutagePlan {
  if (!isLinked(m) || m.resolvedAt) return { outage: false, actions: [] };
  const g = effectiveSyncedAt(m, 'google', global);
  const c = effectiveSyncedAt(m, 'company', global);
  if (!g || !c) return { outage: false, actions: [] };
  const late = (syncedAt: Date) =>
    isOutage({ priority: m.priority, newContentAt: m.newContentAt, syncedAt, now });
  const outage = late(g) || late(c);
  const actions: OutageAction[] = [];
  if (outage) {
    if (!m.outageDetectedAt) actions.push({ kind: 'mark-outage', at: now });
    const since = earliest(g, c) as Date;
    const text = outageText(now.getTime() - since.getTime());
    if (!m.outageCommentSentToGoogle)
      actions.push({ kind: 'notify', on: 'google', text, notice: 'outage' });
    if (!m.outageCommentSentToCompany)
      actions.push({ kind: 'notify', on: 'company', text, notice: 'outage' });
    return { outage, actions };
  }
  const detectedAt = m.outageDetectedAt ?? null;
  if (!detectedAt && !m.outageCommentSentToGoogle && !m.outageCommentSentToCompany)
    return { outage, actions };
  for (const side of SIDES) {
    const sent = side === 'google' ? m.outageCommentSentToGoogle : m.outageCommentSentToCompany;
    const resumed =
      detectedAt !== null &&
      records.some(
        (r) =>
          r.kind === 'notice' &&
          r.sourceSide === side &&
          r.sourceId.startsWith(RESUMED_NOTICE) &&
          r.createdAt.getTime() >= detectedAt.getTime(),
      );
    if (sent || (detectedAt !== null && !resumed))
      actions.push({ kind: 'notify', on: side, text: RESUMED_TEXT, notice: 'resumed' });
  }
  actions.push({ kind: 'end-outage' });
  return { outage, actions };
}

/** A plan that needs the pair's notice records (recovery after a marked outage). */
export function needsRecords(m: CaseMapping): boolean {
  return Boolean(m.outageDetectedAt);
}
