import type { CaseMapping, NewCaseMapping } from './mapping';
import type { CrmTicket, Priority, Side, SupportCase } from './types';
import { ADOPTION_LIMIT_MS } from './sync-state';
import { DEFAULT_PRIORITY } from './priority';

/** What a poll does with one changed case or ticket it found. */
export type PollAction =
  | {
      readonly kind: 'skip';
      readonly reason:
        | 'too-old'
        | 'closed-unmapped'
        | 'resolved'
        | 'mirror-awaiting-link'
        | 'counterpart-mapped'
        | 'paused';
    }
  | { readonly kind: 'adopt'; readonly mapping: NewCaseMapping }
  | { readonly kind: 'mark-pending'; readonly mapping: CaseMapping }
  | { readonly kind: 'enqueue' };

export interface Observed {
  readonly side: Side;
  /** Google case name or Jira issue id. */
  readonly ref: string;
  /** Jira issue key (company side only). */
  readonly key?: string;
  readonly priority: Priority | null;
  readonly closed: boolean;
  readonly createTime: Date;
  readonly updateTime: Date;
  /**
   * The item was created by the connector as the mirror of the other side (its description
   * starts with our mirror prefix, or the ticket holds a Google case name): it must never be
   * adopted as a new pair, or a crash between its creation and the mapping's save would
   * create a second mirror.
   */
  readonly counterpart?: string | null;
  readonly isMirror?: boolean;
}

/**
 * Plans one polled item: adopt it (new mapping) when it is recent and open, mark the mapping
 * pending when the item changed after its last sync, and in every live case enqueue a sync.
 * Returns the actions in order; `enqueue` is always last when present.
 */
export function planPolledItem(
  item: Observed,
  mapping: CaseMapping | null,
  now: Date,
  counterpartMapping: CaseMapping | null = null,
): PollAction[] {
  if (!mapping) {
    if (now.getTime() - item.createTime.getTime() > ADOPTION_LIMIT_MS)
      return [{ kind: 'skip', reason: 'too-old' }];
    if (item.closed) return [{ kind: 'skip', reason: 'closed-unmapped' }];
    if (counterpartMapping) return [{ kind: 'skip', reason: 'counterpart-mapped' }];
    if (item.isMirror && !item.counterpart)
      return [{ kind: 'skip', reason: 'mirror-awaiting-link' }];
    return [{ kind: 'adopt', mapping: newMapping(item, now) }, { kind: 'enqueue' }];
  }
  if (mapping.resolvedAt) return [{ kind: 'skip', reason: 'resolved' }];
  // Paused on the status page: not enqueued, not marked (resuming enqueues both syncs).
  if (mapping.pausedAt) return [{ kind: 'skip', reason: 'paused' }];
  const synced =
    item.side === 'google' ? mapping.googleUpdatesSyncedAt : mapping.companyUpdatesSyncedAt;
  const pending = item.side === 'google' ? mapping.googlePendingSince : mapping.companyPendingSince;
  if (!pending && (!synced || item.updateTime.getTime() > synced.getTime())) {
    const marked: CaseMapping =
      item.side === 'google'
        ? { ...mapping, googlePendingSince: item.updateTime }
        : { ...mapping, companyPendingSince: item.updateTime };
    return [{ kind: 'mark-pending', mapping: marked }, { kind: 'enqueue' }];
  }
  return [{ kind: 'enqueue' }];
}

/** The reference's initial CaseMapping for a case first seen on `item.side`. */
export function newMapping(item: Observed, now: Date): NewCaseMapping {
  const fromGoogle = item.side === 'google';
  return {
    googleCaseName: fromGoogle ? item.ref : (item.counterpart ?? null),
    companyCaseID: fromGoogle ? (item.counterpart ?? null) : item.ref,
    companyCaseKey: fromGoogle ? null : (item.key ?? null),
    newContentAt: now,
    resolvedAt: null,
    companyUpdatesSyncedAt: fromGoogle ? now : null,
    googleUpdatesSyncedAt: fromGoogle ? null : now,
    outageCommentSentToGoogle: false,
    outageCommentSentToCompany: false,
    priority: item.priority ?? DEFAULT_PRIORITY,
    origin: item.side,
    googlePendingSince: fromGoogle ? item.updateTime : null,
    companyPendingSince: fromGoogle ? null : item.updateTime,
    counterpartCreationStartedAt: null,
    outageDetectedAt: null,
  };
}

const COMPANY_MIRROR = /^CONTENT MIRRORED FROM COMPANY CASE [^\s:]+:/;
/** A Google case the connector created from a Jira ticket. */
export function isCaseMirroredFromCompany(description: string): boolean {
  return COMPANY_MIRROR.test(description);
}

/** A Google case as a poll or a sync observes it. */
export function observedCase(c: SupportCase): Observed {
  return {
    side: 'google',
    ref: c.name,
    priority: c.priority,
    closed: c.closed,
    createTime: c.createTime,
    updateTime: c.updateTime,
    isMirror: isCaseMirroredFromCompany(c.description),
  };
}

/** A CRM ticket as a poll or a sync observes it (a ticket that names a case is a mirror). */
export function observedTicket(t: CrmTicket): Observed {
  return {
    side: 'company',
    ref: t.id,
    key: t.key,
    priority: t.priority,
    closed: t.closed,
    createTime: t.createTime,
    updateTime: t.updateTime,
    counterpart: t.googleCaseName,
    isMirror: t.googleCaseName !== null,
  };
}
