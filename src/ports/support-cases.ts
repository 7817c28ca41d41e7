import type { Readable } from 'node:stream';
import type { Check } from '../domain/checks';
import type { SyncSettings } from '../domain/settings';
import type { Attachment, Comment, NewSupportCase, Priority, SupportCase } from '../domain/types';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken?: string;
}

/** Google Cloud Customer Care (Cloud Support API v2). Errors are SyncErrors. */
export interface SupportCases {
  /** Cases under `parent` with `update_time > updatedAfter`, one page (≤ 100) at a time. */
  searchUpdated(parent: string, updatedAfter: Date, pageToken?: string): Promise<Page<SupportCase>>;
  /** null when the case does not exist (404). */
  get(caseName: string): Promise<SupportCase | null>;
  create(input: NewSupportCase): Promise<SupportCase>;
  /**
   * Finds a case under `parent`, updated after `since`, whose description starts with
   * `prefix` (used to link to a case created before a crash instead of creating another).
   */
  findByDescriptionPrefix(parent: string, prefix: string, since: Date): Promise<SupportCase | null>;
  setPriority(caseName: string, priority: Priority): Promise<void>;
  close(caseName: string): Promise<void>;
  /** Comments created after `since` (all when absent), oldest first. */
  listComments(caseName: string, since?: Date): Promise<Comment[]>;
  addComment(caseName: string, body: string): Promise<Comment>;
  listAttachments(caseName: string): Promise<Attachment[]>;
  /** Streams the bytes (`alt=media`); never buffers the whole file. */
  download(caseName: string, attachmentId: string): Promise<Readable>;
  /** Streams `content` up as a new attachment on the case. */
  upload(
    caseName: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment>;
  /**
   * Read-only checks of the set-up against the live API (`npm run doctor`): the identity,
   * the parents (search, may create), the classification, test cases. Never writes.
   */
  diagnose(settings: SyncSettings): Promise<Check[]>;
}
