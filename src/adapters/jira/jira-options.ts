// The options of JiraCrm (what server.ts reads from JIRA_* settings), shared by the
// adapter and its diagnose checks.
import type { JiraPriorityNames } from '../../domain/priority';
import type { JiraClientOptions } from './jira-client';

export interface JiraCrmOptions extends JiraClientOptions {
  /** Project where tickets for Google cases are created. */
  readonly projectKey: string;
  /** Issue type of those tickets. Default `Task`. */
  readonly issueType?: string;
  /** Which tickets sync. Default `labels = synchronizeWithGoogleCloudSupport`. */
  readonly syncJql?: string;
  /** Label added to created tickets so the default JQL selects them. */
  readonly syncLabel?: string;
  /**
   * Custom field (`customfield_NNNNN`, a text field) holding the Google case name. Absent:
   * a label `google-case-<number>` plus the issue property `googleCase` {name}.
   */
  readonly googleCaseField?: string;
  /** Jira priority name for each Google priority (P0…P4). Default Highest…Lowest. */
  readonly priorityNames?: JiraPriorityNames;
  /** Transition (name or id) used by close(). Default: the first one into the done category. */
  readonly doneTransition?: string;
  /** Component set on created tickets (SPEC §3.4). Default `Google Cloud`; null for none. */
  readonly component?: string | null;
  /** Page size for search and comments (≤ 100). Default 100. */
  readonly pageSize?: number;
}
