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
