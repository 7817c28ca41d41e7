import type { CaseMapping, MirroredItem } from './mapping';
import type { SyncSettings } from './settings';
import { isUnderParent } from './sync-state';
import type { Comment, CrmTicket, Priority, SupportCase } from './types';

// The decisions of one pair's sync that are not about items (plan-items) or fields
// (plan-fields): may this case be synced, does each side exist, create or link the missing
// side, announce the link, and what the mapping records afterwards. Pure: the sync task
// reads, asks these, then writes.

/**
 * How long after starting to create a counterpart we trust search to have caught up (Jira
 * search is eventually consistent; a ticket created a second ago may be missing).
 */
export const SEARCH_LAG_MS = 60 * 1000;

/** sourceId of the recorded "now syncing" notice. */
export const NOW_SYNCING = 'now-syncing';

/** A case is synced only under SUPPORT_PARENT or SUPPORT_CASE_PARENT (SPEC §4). */
export function caseInScope(
  caseName: string,
  s: Pick<SyncSettings, 'supportParent' | 'supportCaseParent'>,
): boolean {
  return isUnderParent(caseName, s.supportParent) || isUnderParent(caseName, s.supportCaseParent);
}

export type PairState =
  | { readonly kind: 'linked' }
  | { readonly kind: 'create-ticket' }
  | { readonly kind: 'create-case' }
  /** The pair cannot be synced: answered `dropped` (a retry would not help). */
  | { readonly kind: 'drop'; readonly reason: 'google-case-not-found' | 'empty-mapping' }
  /** The ticket disappeared: the pair is resolved, then dropped. */
  | { readonly kind: 'resolve'; readonly reason: 'ticket-not-found' };

/**
 * What the pair needs, from what was read: `undefined` for a side the mapping does not name
 * yet, `null` for a named side that was not found.
 */
export function planPairState(
  gcase: SupportCase | null | undefined,
  ticket: CrmTicket | null | undefined,
): PairState {
  if (gcase === null) return { kind: 'drop', reason: 'google-case-not-found' };
  if (ticket === null) return { kind: 'resolve', reason: 'ticket-not-found' };
  if (gcase && ticket) return { kind: 'linked' };
  if (gcase) return { kind: 'create-ticket' };
  if (ticket) return { kind: 'create-case' };
  return { kind: 'drop', reason: 'empty-mapping' };
}

export type TicketCreation =
  | { readonly kind: 'use'; readonly ticket: CrmTicket }
  /** An earlier attempt may have created it and search may not show it yet: retry later. */
  | { readonly kind: 'wait-for-search' }
  | { readonly kind: 'create' };

/** Link to the ticket that holds the case (found by search) before ever creating one. */
export function planTicketCreation(
  found: CrmTicket | null,
  creationStartedAt: Date | null,
  now: Date,
): TicketCreation {
  if (found) return { kind: 'use', ticket: found };
  if (creationStartedAt && now.getTime() - creationStartedAt.getTime() < SEARCH_LAG_MS)
    return { kind: 'wait-for-search' };
  return { kind: 'create' };
}

/**
 * Since when to look for a case an earlier attempt created (by its description prefix):
 * only after such an attempt started.
 */
export function caseSearchSince(creationStartedAt: Date | null): Date | null {
  return creationStartedAt ? new Date(creationStartedAt.getTime() - SEARCH_LAG_MS) : null;
}

export type CaseCreation =
  | { readonly kind: 'use'; readonly gcase: SupportCase }
  | { readonly kind: 'create'; readonly classificationId: string }
  /** SUPPORT_CLASSIFICATION_ID unset: the Jira → Google direction is off. */
  | { readonly kind: 'drop'; readonly reason: 'no-classification' };

export function planCaseCreation(
  found: SupportCase | null,
  classificationId: string | null,
): CaseCreation {
  if (found) return { kind: 'use', gcase: found };
  if (!classificationId) return { kind: 'drop', reason: 'no-classification' };
  return { kind: 'create', classificationId };
}

/**
 * The mapping once its ticket exists (created or found). The Google side stays unsynced
 * (null) until the first sync after the link has mirrored its comments: that sync reads
 * every comment, not only the polling window's, so that a ticket created late (after an
 * outage, or after a dry run) still gets the case's earlier comments.
 */
export function withTicket(
  m: CaseMapping,
  ticket: CrmTicket,
  casePriority: Priority | null,
): CaseMapping {
  return {
    ...m,
    companyCaseID: ticket.id,
    companyCaseKey: ticket.key,
    priority: casePriority ?? m.priority,
  };
}

/** The mapping once its Google case exists (created or found); the Jira side stays as it was (see withTicket). */
export function withCase(m: CaseMapping, gcase: SupportCase, ticket: CrmTicket): CaseMapping {
  return {
    ...m,
    googleCaseName: gcase.name,
    companyCaseKey: ticket.key,
    priority: ticket.priority ?? m.priority,
  };
}

/** "Now syncing" is announced until its notice is recorded (a failure right after linking must not lose it). */
export function needsLinkNotice(records: readonly MirroredItem[]): boolean {
  return !records.some((r) => r.kind === 'notice' && r.sourceId === NOW_SYNCING);
}

/** A "now syncing" comment already on the case (written before a crash), to record instead of writing again. */
export function existingLinkNotice(comments: readonly Comment[], text: string): Comment | null {
  return comments.find((c) => !c.author.isGoogleSupport && c.body.trim() === text) ?? null;
}

/** From when each side's comments are read: the last sync minus the polling window. */
export function commentsSince(syncedAt: Date | null, windowMs: number): Date | undefined {
  return syncedAt ? new Date(syncedAt.getTime() - windowMs) : undefined;
}

/**
 * The mapping after a sync that started at `startedAt`: the agreed priority, resolution,
 * and each side synced up to the start when anything was mirrored, a change was pending or
 * the side was never synced; `save` is false when nothing changed (an unchanged pair's
 * re-sync writes nothing).
 */
export function planSyncedMapping(
  m: CaseMapping,
  r: {
    readonly ticketKey: string;
    readonly agreedPriority: Priority;
    readonly resolvedAt: Date | null;
    readonly mirrored: number;
    readonly startedAt: Date;
  },
): { readonly next: CaseMapping; readonly save: boolean } {
  const mirrored = r.mirrored > 0;
  const next: CaseMapping = {
    ...m,
    priority: r.agreedPriority,
    resolvedAt: r.resolvedAt,
    companyCaseKey: r.ticketKey,
    newContentAt: mirrored ? r.startedAt : m.newContentAt,
    googlePendingSince: null,
    companyPendingSince: null,
    googleUpdatesSyncedAt:
      mirrored || m.googlePendingSince || !m.googleUpdatesSyncedAt
        ? r.startedAt
        : m.googleUpdatesSyncedAt,
    companyUpdatesSyncedAt:
      mirrored || m.companyPendingSince || !m.companyUpdatesSyncedAt
        ? r.startedAt
        : m.companyUpdatesSyncedAt,
    // A sync that got this far worked: the status page stops showing the last failure.
    ...(m.lastError || m.lastErrorAt ? { lastError: null, lastErrorAt: null } : {}),
  };
  return { next, save: mappingChanged(m, next) };
}

function mappingChanged(a: CaseMapping, b: CaseMapping): boolean {
  return (Object.keys(b) as (keyof CaseMapping)[]).some((k) => {
    const x = a[k];
    const y = b[k];
    if (x instanceof Date && y instanceof Date) return x.getTime() !== y.getTime();
    return x !== y;
  });
}
