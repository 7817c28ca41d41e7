import type { CaseMapping, Global, MirroredItem } from './mapping';
import type { Side } from './types';
import { isOutage } from './latency';
import { earliest, effectiveSyncedAt } from './sync-state';
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
/** Prefix of the sourceId of recorded outage notices. */
export const OUTAGE_NOTICE = 'outage:';

/**
 * The reference's DetectOutages for one mapping. A side never synced counts from the time
 * the pair was adopted (`newContentAt`), so a pair whose counterpart was never created is
 * an outage too: only the side that exists is told. An outage notice goes once per side (a
 * side that cannot be reached is tried again while the outage lasts). When the outage ends,
 * "Syncing has resumed." goes once to each existing side, also to a side that was down and
 * never got the outage notice, so both tickets say that syncing stopped and started again.
 * `records` are the pair's notice records (needed only once an outage has been marked).
 */
export function planOutage(
  m: CaseMapping,
  global: Global,
  now: Date,
  records: readonly MirroredItem[] = [],
): OutagePlan {
  const present = SIDES.filter((side) => (side === 'google' ? m.googleCaseName : m.companyCaseID));
  // A pair paused on the status page is not synced on purpose: no outage, no notices.
  if (m.resolvedAt || m.pausedAt || present.length === 0) return { outage: false, actions: [] };
  const { g, c } = syncedUpTo(m, global);
  const late = (syncedAt: Date) =>
    isOutage({ priority: m.priority, newContentAt: m.newContentAt, syncedAt, now });
  const outage = late(g) || late(c);
  const actions: OutageAction[] = [];
  const detectedAt = m.outageDetectedAt ?? null;
  /** A notice of this outage recorded on `side` (`prefix`: outage or resume). */
  const recorded = (side: Side, prefix: string) =>
    detectedAt !== null &&
    records.some(
      (r) =>
        r.kind === 'notice' &&
        r.sourceSide === side &&
        r.sourceId.startsWith(prefix) &&
        r.createdAt.getTime() >= detectedAt.getTime(),
    );
  // The record is the authority: a notice posted whose flag could not be saved (the
  // mapping changed meanwhile) is not posted again.
  const told = (side: Side) => outageNoticeSent(m, side) || recorded(side, OUTAGE_NOTICE);
  if (outage) {
    if (!m.outageDetectedAt) actions.push({ kind: 'mark-outage', at: now });
    const text = outageText(now.getTime() - outageSince(m, global).getTime());
    for (const side of present) {
      if (!told(side)) actions.push({ kind: 'notify', on: side, text, notice: 'outage' });
    }
    return { outage, actions };
  }
  if (!detectedAt && !m.outageCommentSentToGoogle && !m.outageCommentSentToCompany)
    return { outage, actions };
  for (const side of present) {
    const resumed = recorded(side, RESUMED_NOTICE);
    // Once per side: a resume already recorded for this outage is not posted again, even
    // when another side's resume failed and the outage is not over yet.
    if ((told(side) || detectedAt !== null) && !resumed)
      actions.push({ kind: 'notify', on: side, text: RESUMED_TEXT, notice: 'resumed' });
  }
  actions.push({ kind: 'end-outage' });
  return { outage, actions };
}

/** Up to when each side is synced; a side never synced counts from the adoption. */
function syncedUpTo(m: CaseMapping, global: Global): { g: Date; c: Date } {
  return {
    g: effectiveSyncedAt(m, 'google', global) ?? m.newContentAt,
    c: effectiveSyncedAt(m, 'company', global) ?? m.newContentAt,
  };
}

/**
 * Since when the pair has not synced (the older side's sync time): the start of an outage,
 * constant while it lasts (a dry run's key for "would post outage notice", said once).
 */
export function outageSince(m: CaseMapping, global: Global): Date {
  const { g, c } = syncedUpTo(m, global);
  return earliest(g, c) as Date;
}

function outageNoticeSent(m: CaseMapping, side: Side): boolean {
  return side === 'google' ? m.outageCommentSentToGoogle : m.outageCommentSentToCompany;
}

/** A plan that needs the pair's notice records (recovery after a marked outage). */
export function needsRecords(m: CaseMapping): boolean {
  return Boolean(m.outageDetectedAt);
}
