import type { Priority, Side } from './types';

/**
 * One synced pair (SPEC §3.3, kind `CaseMapping`). The reference's properties keep their
 * names; the additions below make polls O(changed cases) and writes exactly-once.
 */
export interface CaseMapping {
  /** Store key (opaque string). */
  readonly id: string;
  readonly googleCaseName: string | null;
  /** Jira issue id (immutable). */
  readonly companyCaseID: string | null;
  /** Jira issue key, for the texts written on tickets. */
  readonly companyCaseKey: string | null;
  readonly newContentAt: Date;
  readonly resolvedAt: Date | null;
  /** Last time Jira's updates were known synced to Google (see effectiveSyncedAt). */
  readonly companyUpdatesSyncedAt: Date | null;
  /** Last time Google's updates were known synced to Jira (see effectiveSyncedAt). */
  readonly googleUpdatesSyncedAt: Date | null;
  readonly outageCommentSentToGoogle: boolean;
  readonly outageCommentSentToCompany: boolean;
  /** Last priority both sides agreed on (0–4). */
  readonly priority: Priority;

  // --- additions ---------------------------------------------------------------------
  /** Which side the pair started from. */
  readonly origin: Side;
  /**
   * Set by a poll that saw a change on that side which no sync has covered yet; cleared
   * by the sync that covers it. While null, the side is synced up to the last poll time,
   * so polls need not write every open mapping (SPEC §4).
   */
  readonly googlePendingSince: Date | null;
  readonly companyPendingSince: Date | null;
  /**
   * Set just before the connector creates the counterpart ticket/case, so that a retry
   * after a crash looks for it (search may lag) instead of creating a second one.
   */
  readonly counterpartCreationStartedAt: Date | null;
  /**
   * When the current outage was first detected (null when none). While it is set, every
   * side gets "Syncing has resumed." once when the outage ends, including a side that was
   * down and never received the outage notice.
   */
  readonly outageDetectedAt?: Date | null;
  /**
   * Set by an operator on the status page: polls do not enqueue the pair, detect-outages
   * ignores it and its sync tasks are skipped, until it is resumed (null again).
   */
  readonly pausedAt?: Date | null;
  /**
   * The last failed sync of the pair: the error's class and kind only (`SyncError/retry`),
   * never its message, which may quote upstream text. Cleared by the next sync that works.
   */
  readonly lastError?: string | null;
  readonly lastErrorAt?: Date | null;
  /** Optimistic concurrency: bumped by every save. */
  readonly version: number;
}

export type NewCaseMapping = Omit<CaseMapping, 'id' | 'version'>;

/** Singleton kind `Global`. */
export interface Global {
  readonly google_last_polled_at: Date | null;
  readonly company_last_polled_at: Date | null;
  readonly version: number;
}

/**
 * The authoritative record of one mirrored item (kind `MirroredItem`): which source item
 * was copied to which target item. Notices the connector writes are recorded too (with
 * kind `notice`), so nothing the connector wrote is ever mirrored back. A dry run
 * (DRY_RUN=true) records each write it only said with kind `dry-run` (see dry-run.ts):
 * those never count as mirrored.
 */
export interface MirroredItem {
  readonly mappingId: string;
  readonly kind: 'comment' | 'attachment' | 'notice' | 'dry-run';
  /** Side the item was read from (for notices and dry-run records: the side it was, or would be, written to). */
  readonly sourceSide: Side;
  /** Id on the source side (for notices: a synthetic id such as `outage:2026-…`; dry run: `action:itemId`). */
  readonly sourceId: string;
  /** Id of the item the connector wrote on the other side; for multi-part comments, the first part. */
  readonly targetIds: readonly string[];
  readonly createdAt: Date;
}

/** The status page's listings of pairs (each one Datastore query on one property). */
export type PairFilter =
  | { readonly kind: 'open' }
  /** Open, with a lastError (the last sync failed). */
  | { readonly kind: 'failing' }
  /** Open, with an outage detected. */
  | { readonly kind: 'outage' }
  /** Resolved at or after `since` (the page passes now − 30 days). */
  | { readonly kind: 'closed'; readonly since: Date };

/**
 * One task run as the status page shows it (kind `TaskRun`, the most recent few hundred):
 * counts and constant reasons only, never case text or upstream messages.
 */
export interface TaskRun {
  /** `poll-google`, `sync-google-case`, `detect-outages`, … */
  readonly task: string;
  readonly at: Date;
  readonly outcome: 'done' | 'dropped' | 'skipped' | 'failed';
  /** The case name, ticket id or mapping id the run was about (task bodies' ids). */
  readonly ref: string | null;
  /** A constant reason (`paused`, `mapping-gone`) or, for a failure, `Class/kind`. */
  readonly reason: string | null;
  /** What the run counted: changed, adopted, comments, attachments, outages, … */
  readonly counts: Readonly<Record<string, number>>;
}
