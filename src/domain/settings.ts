import type { CommentVisibility } from './types';

/** Label that marks a Jira ticket as synced (added to the tickets the connector creates). */
export const DEFAULT_SYNC_LABEL = 'synchronizeWithGoogleCloudSupport';
/** Which Jira tickets sync when JIRA_SYNC_JQL is not set. */
export const DEFAULT_SYNC_JQL = `labels = ${DEFAULT_SYNC_LABEL}`;

/** The part of the configuration the use-cases read (config.ts builds it from env). */
export interface SyncSettings {
  /** `organizations/ID` or `projects/ID` searched for cases. */
  readonly supportParent: string;
  /** Where cases created from Jira are opened. */
  readonly supportCaseParent: string;
  /** null: the Jira → Google creation direction is off (logged, not an error). */
  readonly supportClassificationId: string | null;
  readonly supportTestCases: boolean;
  /** Milliseconds (parsed from ISO-8601 durations). */
  readonly googlePollingWindowMs: number;
  readonly companyPollingWindowMs: number;
  readonly googleCommentsVisibility: CommentVisibility;
  readonly commentsToGoogle: 'all' | 'public';
  /** The CRM's name in the notices the connector writes (`Jira`, `Zendesk`). Default Jira. */
  readonly crmName?: string;
  /**
   * DRY_RUN: poll and plan as usual, but write nothing to Google or the CRM; each write a
   * task would make is logged once (`would …`) and recorded as a `dry-run` MirroredItem.
   */
  readonly dryRun: boolean;
}

/** Tag that opts a Zendesk ticket in (Zendesk lowercases tags; SPEC §6.1). */
export const DEFAULT_ZENDESK_SYNC_TAG = 'synchronizewithgooglecloudsupport';
