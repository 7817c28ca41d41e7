// Snapshots of an issue (its comments and attachments) for tests and the /_control API:
// plain values, detached from the simulator's records.
import { simAdfToText, type SimAdfDoc } from './adf';
import type { AttachmentRecord, IssueRecord, StatusCategoryKey } from './state-model';
import type { JiraState } from './state';

export interface IssueSnapshot {
  readonly id: string;
  readonly key: string;
  readonly summary: string;
  readonly descriptionText: string;
  readonly description: SimAdfDoc | null;
  readonly labels: string[];
  readonly components: string[];
  readonly priority: string;
  readonly status: string;
  readonly statusCategory: StatusCategoryKey;
  readonly projectKey: string;
  readonly issueType: string;
  readonly custom: Record<string, unknown>;
  readonly properties: Record<string, unknown>;
  readonly created: Date;
  readonly updated: Date;
  readonly comments: CommentSnapshot[];
  readonly attachments: AttachmentSnapshot[];
}

export interface CommentSnapshot {
  readonly id: string;
  readonly author: { accountId: string; displayName: string };
  readonly bodyText: string;
  readonly adf: unknown;
  readonly public: boolean;
  readonly properties: Record<string, unknown>;
  readonly created: Date;
}

export interface AttachmentSnapshot {
  readonly id: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly size: number;
  readonly content: Buffer;
  readonly author: { accountId: string; displayName: string };
  readonly created: Date;
}

export function snapshotIssue(state: JiraState, issue: IssueRecord): IssueSnapshot {
  const f = issue.fields;
  const who = (id: string): { accountId: string; displayName: string } => ({
    accountId: id,
    displayName: state.user(id).displayName,
  });
  return {
    id: issue.id,
    key: f.key,
    summary: f.summary,
    descriptionText: simAdfToText(f.description),
    description: f.description,
    labels: [...f.labels],
    components: [...f.components],
    priority: f.priority,
    status: f.status,
    statusCategory: state.status(f.status).categoryKey,
    projectKey: f.projectKey,
    issueType: f.issueType,
    custom: { ...f.custom },
    properties: Object.fromEntries(issue.properties),
    created: new Date(f.created),
    updated: new Date(f.updated),
    comments: issue.comments.map((c) => ({
      id: c.id,
      author: who(c.authorId),
      bodyText: simAdfToText(c.body),
      adf: c.body,
      public: c.jsdPublic !== false,
      properties: Object.fromEntries(c.properties),
      created: new Date(c.created),
    })),
    attachments: f.attachmentIds
      .map((id) => state.attachment(id))
      .filter((a): a is AttachmentRecord => a !== undefined)
      .map((a) => ({
        id: a.id,
        filename: a.filename,
        mimeType: a.mimeType,
        size: a.size,
        content: Buffer.concat(a.chunks as Buffer[]),
        author: who(a.authorId),
        created: new Date(a.created),
      })),
  };
}

/** A snapshot as the /_control API sends it (dates as ISO strings, no attachment bytes). */
export function snapshotJson(s: IssueSnapshot): unknown {
  return {
    ...s,
    created: s.created.toISOString(),
    updated: s.updated.toISOString(),
    comments: s.comments.map((c) => ({ ...c, created: c.created.toISOString() })),
    attachments: s.attachments.map(({ content: _content, ...a }) => ({
      ...a,
      created: a.created.toISOString(),
    })),
  };
}
