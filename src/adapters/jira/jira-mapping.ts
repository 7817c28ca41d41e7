// Jira JSON (checked by jira-schemas.ts) ↔ domain types, and the text limits and labels the
// adapter writes: raw Jira shapes stop here.
import { SyncError } from '../../domain/errors';
import { priorityFromJiraName, type JiraPriorityNames } from '../../domain/priority';
import type { Attachment, Comment, CrmTicket } from '../../domain/types';
import { adfToText } from './adf';
import { JIRA_SOURCE } from './jira-errors';
import {
  caseNameProperty,
  mirrorProperty,
  type JiraAttachment,
  type JiraComment,
  type JiraIssue,
} from './jira-schemas';

/** Issue property holding the Google case name when no custom field is configured. */
export const GOOGLE_CASE_PROPERTY = 'googleCase';
/** Comment property marking a comment written by the connector as a mirror. */
export const MIRROR_PROPERTY = 'gcsSync';
/** JSM comment property: `{internal: true}` hides a comment from customers. */
export const JSM_VISIBILITY_PROPERTY = 'sd.public.comment';
const SUMMARY_MAX = 255;
const TEXT_MAX = 32_767;

/** Quotes a JQL string literal. */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

/** One line, at most 255 characters (Jira's summary limit). */
export function summaryOf(text: string): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ').trim();
  return truncateChars(oneLine === '' ? '(no summary)' : oneLine, SUMMARY_MAX);
}

/** At most Jira's 32 767 characters for a description or comment, marked when cut. */
export function limitText(text: string): string {
  const note = '\n\n[truncated]';
  return text.length <= TEXT_MAX ? text : truncateChars(text, TEXT_MAX - note.length - 16) + note;
}

/** `organizations/1/cases/2` → `2` (label-safe), or null. */
function caseNumberOf(caseName: string): string | null {
  const last = caseName.split('/').pop() ?? '';
  return /^[A-Za-z0-9_-]+$/.test(last) ? last : null;
}

/** The label `google-case-<number>` that links a ticket to its case (no custom field). */
export function googleCaseLabel(caseName: string): string {
  const n = caseNumberOf(caseName);
  if (n === null)
    throw new SyncError('permanent', 'Google case name has no usable case number', {
      source: JIRA_SOURCE,
    });
  return `google-case-${n}`;
}

/** How this site links tickets to cases and names priorities. */
export interface TicketMapping {
  /** `customfield_NNNNN` holding the case name; undefined: the `googleCase` property. */
  readonly caseField: string | undefined;
  readonly priorityNames: JiraPriorityNames;
}

function caseNameOf(issue: JiraIssue, caseField: string | undefined): string | null {
  if (caseField !== undefined) {
    const v = issue.fields[caseField];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  }
  const prop = caseNameProperty.safeParse(issue.properties?.[GOOGLE_CASE_PROPERTY]);
  return prop.success ? prop.data.name : null;
}

export function toTicket(issue: JiraIssue, mapping: TicketMapping): CrmTicket {
  const f = issue.fields;
  if (f.created === undefined || f.updated === undefined || f.project === undefined) {
    throw new SyncError('permanent', 'Jira issue answered without its dates or project', {
      source: JIRA_SOURCE,
    });
  }
  return {
    id: issue.id,
    key: issue.key,
    summary: f.summary ?? '',
    description: adfToText(f.description ?? null),
    priority: priorityFromJiraName(mapping.priorityNames, f.priority?.name),
    closed: f.status?.statusCategory?.key === 'done',
    createTime: f.created,
    updateTime: f.updated,
    googleCaseName: caseNameOf(issue, mapping.caseField),
    projectKey: f.project.key,
  };
}

/** `me`: the connector's account id; `mirrorOf` overrides the comment's gcsSync property. */
export function toComment(c: JiraComment, me: string, mirrorOf?: string): Comment {
  const mirror = mirrorProperty.safeParse(
    c.properties?.find((p) => p.key === MIRROR_PROPERTY)?.value,
  );
  const of = mirrorOf ?? (mirror.success ? mirror.data.mirrorOf : undefined);
  return {
    id: c.id,
    author: {
      displayName: c.author?.displayName ?? 'Unknown user',
      isConnector: c.author?.accountId !== undefined && c.author.accountId === me,
    },
    body: adfToText(c.body),
    createTime: c.created,
    isPublic: c.jsdPublic !== false,
    ...(of !== undefined ? { mirrorOf: of } : {}),
  };
}

export function toAttachment(a: JiraAttachment, me: string): Attachment {
  return {
    id: a.id,
    filename: a.filename,
    mimeType: a.mimeType ?? 'application/octet-stream',
    sizeBytes: a.size,
    createTime: a.created,
    author: {
      displayName: a.author?.displayName ?? 'Unknown user',
      isConnector: a.author?.accountId !== undefined && a.author.accountId === me,
    },
  };
}
