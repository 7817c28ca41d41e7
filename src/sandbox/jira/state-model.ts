// The Jira simulator's data model: projects, statuses and the workflow, users, and the
// records the state keeps for issues, comments and attachments (plus Jira's error shape).
import { createHash } from 'node:crypto';
import type { SimAdfDoc } from './adf';

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface JiraSimProject {
  readonly key: string;
  readonly id: string;
  readonly name?: string;
  readonly components?: readonly string[];
  /** JSM projects give comments `jsdPublic`; software projects do not. */
  readonly type?: 'service_desk' | 'software';
}

export interface JiraSimCustomField {
  /** `customfield_NNNNN`. */
  readonly id: string;
  readonly name: string;
}

export interface SimStatus {
  readonly id: string;
  readonly name: string;
  readonly categoryKey: StatusCategoryKey;
}

export interface SimTransition {
  readonly id: string;
  readonly name: string;
  /** Target status name. */
  readonly to: string;
}

export const SIM_STATUSES: readonly SimStatus[] = [
  { id: '10000', name: 'To Do', categoryKey: 'new' },
  { id: '10001', name: 'In Progress', categoryKey: 'indeterminate' },
  { id: '10002', name: 'Done', categoryKey: 'done' },
  { id: '10003', name: "Won't Do", categoryKey: 'done' },
];

/** A simplified workflow: every status can move to any other one. */
export const SIM_TRANSITIONS: readonly SimTransition[] = [
  { id: '11', name: 'To Do', to: 'To Do' },
  { id: '21', name: 'In Progress', to: 'In Progress' },
  { id: '31', name: 'Done', to: 'Done' },
  { id: '41', name: "Won't Do", to: "Won't Do" },
];

export const STATUS_CATEGORIES: Readonly<
  Record<StatusCategoryKey, { id: number; name: string; colorName: string }>
> = {
  new: { id: 2, name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, name: 'Done', colorName: 'green' },
};

export const DEFAULT_PRIORITIES: readonly string[] = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
export const DEFAULT_ISSUE_TYPES: readonly string[] = ['Task', 'Service Request', 'Bug'];

export interface SimUser {
  readonly accountId: string;
  readonly displayName: string;
  readonly emailAddress?: string;
  readonly accountType: 'atlassian' | 'customer';
}

/** The part of an issue a (lagging) search index sees; replaced whole on every write. */
export interface IssueFields {
  readonly key: string;
  readonly projectKey: string;
  readonly summary: string;
  readonly description: SimAdfDoc | null;
  readonly priority: string;
  readonly status: string;
  readonly labels: readonly string[];
  readonly components: readonly string[];
  readonly issueType: string;
  readonly custom: Readonly<Record<string, unknown>>;
  readonly attachmentIds: readonly string[];
  readonly commentCount: number;
  readonly created: number;
  readonly updated: number;
  readonly resolutionDate: number | null;
  readonly reporterId: string;
}

export interface CommentRecord {
  readonly id: string;
  readonly issueId: string;
  readonly authorId: string;
  body: unknown;
  readonly created: number;
  updated: number;
  /** undefined outside JSM projects. */
  readonly jsdPublic: boolean | undefined;
  readonly properties: Map<string, unknown>;
}

export interface AttachmentRecord {
  readonly id: string;
  readonly issueId: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly size: number;
  readonly created: number;
  readonly authorId: string;
  /** The stored bytes, as received (not concatenated). */
  readonly chunks: readonly Buffer[];
}

export interface IssueRecord {
  readonly id: string;
  /** Every key the issue has had, current last. */
  readonly keys: string[];
  fields: IssueFields;
  /** Versions not yet superseded in the search index: {at: write time, fields}. */
  versions: { at: number; fields: IssueFields }[];
  readonly properties: Map<string, unknown>;
  readonly comments: CommentRecord[];
}

export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly errorMessages: readonly string[],
    readonly errors: Readonly<Record<string, string>> = {},
  ) {
    super(errorMessages[0] ?? Object.values(errors)[0] ?? `HTTP ${status}`);
    this.name = 'SimError';
  }
}

export const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
export const COMMENT_MAX_CHARS = 32_767;

export interface JiraStateOptions {
  readonly projects: readonly JiraSimProject[];
  readonly priorities: readonly string[];
  readonly issueTypes: readonly string[];
  readonly customFields: readonly JiraSimCustomField[];
  readonly apiUser: SimUser;
  readonly now: () => Date;
  readonly searchLagMs: number;
}

export function accountIdFor(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `712020:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function apiUserFor(email: string, displayName: string): SimUser {
  return {
    accountId: accountIdFor(`api:${email}`),
    displayName,
    emailAddress: email,
    accountType: 'atlassian',
  };
}

export function dedupe(labels: readonly string[]): string[] {
  return [...new Set(labels)];
}
