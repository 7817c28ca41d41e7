// Domain types shared by every layer. Raw Google or Jira shapes never appear here:
// adapters map upstream JSON to these at the boundary.

/** 0 = P0 (most urgent) … 4 = P4, as stored in CaseMapping.priority. */
export type Priority = 0 | 1 | 2 | 3 | 4;
export const PRIORITIES: readonly Priority[] = [0, 1, 2, 3, 4] as const;

/** A Google Cloud Customer Care case (CSAPI v2 `Case`). */
export interface SupportCase {
  /** `organizations/1/cases/2` or `projects/p/cases/2`. */
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  /** null when Google reports a priority we do not know (e.g. PRIORITY_UNSPECIFIED). */
  readonly priority: Priority | null;
  readonly closed: boolean;
  readonly createTime: Date;
  readonly updateTime: Date;
}

export interface NewSupportCase {
  /** `organizations/ID` or `projects/ID`. */
  readonly parent: string;
  readonly displayName: string;
  readonly description: string;
  readonly priority: Priority;
  readonly classificationId: string;
  readonly testCase: boolean;
}

/** A comment on either side, body as plain text. */
export interface ItemAuthor {
  readonly displayName: string;
  /** Written by this connector (its service account or API user). */
  readonly isConnector: boolean;
  /** Google side only: written by a Google support engineer. */
  readonly isGoogleSupport?: boolean;
}

export interface Comment {
  /** Google: the last segment of the comment name; Jira: the comment id. */
  readonly id: string;
  readonly author: ItemAuthor;
  readonly body: string;
  readonly createTime: Date;
  /** Jira only: false for JSM internal comments. Google comments are always public. */
  readonly isPublic: boolean;
  /** Jira only: the source item this comment mirrors, read from its comment property. */
  readonly mirrorOf?: string;
}

export interface Attachment {
  /** Google: the last segment of the attachment name; Jira: the attachment id. */
  readonly id: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly createTime: Date;
  readonly author: ItemAuthor;
}

/** A ticket in the company CRM (Jira Service Management). */
export interface CrmTicket {
  /** Immutable id (Jira issue id, e.g. "10042"). */
  readonly id: string;
  /** Human key (e.g. "SUP-12"); may change if the issue moves project. */
  readonly key: string;
  readonly summary: string;
  readonly description: string;
  readonly priority: Priority | null;
  readonly closed: boolean;
  readonly createTime: Date;
  readonly updateTime: Date;
  /** The Google case this ticket is linked to (custom field, or label + property). */
  readonly googleCaseName: string | null;
  /** Project key the ticket lives in now. */
  readonly projectKey: string;
}

export interface NewCrmTicket {
  readonly summary: string;
  readonly description: string;
  readonly priority: Priority;
  readonly googleCaseName: string;
}

export type CommentVisibility = 'internal' | 'public';

/** Which side an item lives on. */
export type Side = 'google' | 'company';
