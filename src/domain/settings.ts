import type { CommentVisibility } from './types';

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
}
