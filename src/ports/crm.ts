import type { Readable } from 'node:stream';
import type {
  Attachment,
  Comment,
  CommentVisibility,
  CrmTicket,
  NewCrmTicket,
  Priority,
} from '../domain/types';
import type { Check } from '../domain/checks';
import type { SyncSettings } from '../domain/settings';
import type { Page } from './support-cases';

/**
 * The company's CRM (Jira Service Management implements it as JiraCrm). A second CRM is
 * added by implementing this port; the use-cases do not change. Errors are SyncErrors.
 */
export interface Crm {
  /** Tickets selected for sync (the configured JQL) updated at or after `updatedAfter`. */
  searchUpdated(updatedAfter: Date, pageToken?: string): Promise<Page<CrmTicket>>;
  /** null when the ticket does not exist or is not visible (404). */
  get(ticketId: string): Promise<CrmTicket | null>;
  /** The ticket that holds this Google case name, if any (eventually consistent). */
  findByGoogleCase(caseName: string): Promise<CrmTicket | null>;
  /** Creates a ticket that is selected for sync and holds the Google case name. */
  create(input: NewCrmTicket): Promise<CrmTicket>;
  /** Records the Google case name on a ticket created in the CRM. */
  linkGoogleCase(ticketId: string, caseName: string): Promise<void>;
  setPriority(ticketId: string, priority: Priority): Promise<void>;
  close(ticketId: string): Promise<void>;
  /** Comments created after `since` (all when absent), oldest first. */
  listComments(ticketId: string, since?: Date): Promise<Comment[]>;
  /**
   * Adds a comment. `mirrorOf` is stored with the comment itself (a Jira comment
   * property) in the same request, so a crash cannot separate the write from its mark.
   */
  addComment(
    ticketId: string,
    body: string,
    opts: { visibility: CommentVisibility; mirrorOf?: string },
  ): Promise<Comment>;
  listAttachments(ticketId: string): Promise<Attachment[]>;
  download(ticketId: string, attachmentId: string): Promise<Readable>;
  upload(
    ticketId: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment>;
  /** The site's upload limit in bytes (Jira: /rest/api/3/attachment/meta). */
  uploadLimitBytes(): Promise<number>;
  /**
   * Read-only checks of the set-up against the live CRM (`npm run doctor`): who the API
   * user is, project, priorities, workflow, fields, the sync query, limits. Never writes.
   */
  diagnose(settings: SyncSettings): Promise<Check[]>;
}
