import type { CaseMapping, Global } from './mapping';
import type { Side } from './types';
import { isOutage } from './latency';
import { earliest, effectiveSyncedAt, isLinked } from './sync-state';
import { outageText, RESUMED_TEXT } from './texts';

export type OutageAction =
  | { readonly kind: 'notify'; readonly on: Side; readonly text: string; readonly notice: 'outage' | 'resumed' };

export interface OutagePlan {
  readonly outage: boolean;
  readonly actions: OutageAction[];
}

/**
 * The reference's DetectOutages for one mapping. Recently added pairs (not linked yet, or
 * never synced) are ignored. An outage notice goes once per side; "Syncing has resumed."
 * goes once to each side that received an outage notice, after the outage ends.
 */
export function planOutage(m: CaseMapping, global: Global, now: Date): OutagePlan {
  if (!isLinked(m) || m.resolvedAt) return { outage: false, actions: [] };
  const g = effectiveSyncedAt(m, 'google', global);
  const c = effectiveSyncedAt(m, 'company', global);
  if (!g || !c) return { outage: false, actions: [] };
  const late = (syncedAt: Date) => isOutage({ priority: m.priority, newContentAt: m.newContentAt, syncedAt, now });
  const outage = late(g) || late(c);
  const actions: OutageAction[] = [];
  if (outage) {
    const since = earliest(g, c) as Date;
    const text = outageText(now.getTime() - since.getTime());
    if (!m.outageCommentSentToGoogle) actions.push({ kind: 'notify', on: 'google', text, notice: 'outage' });
    if (!m.outageCommentSentToCompany) actions.push({ kind: 'notify', on: 'company', text, notice: 'outage' });
  } else {
    if (m.outageCommentSentToGoogle) actions.push({ kind: 'notify', on: 'google', text: RESUMED_TEXT, notice: 'resumed' });
    if (m.outageCommentSentToCompany) actions.push({ kind: 'notify', on: 'company', text: RESUMED_TEXT, notice: 'resumed' });
  }
  return { outage, actions };
}
