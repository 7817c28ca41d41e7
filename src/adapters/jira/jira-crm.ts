// The Crm port on Jira Cloud (platform REST v3 + JSM comment visibility), built on jira.js
// 5.x Version3Client for JSON calls; attachment bytes are streamed by jira-stream.ts.
// Upstream JSON is checked against jira-schemas.ts and mapped by jira-mapping.ts; failures
// are classified by jira-errors.ts, calls sent and repeated by jira-client.ts, attachment
// transfers done by jira-attachments.ts: raw Jira shapes never leave this folder.
//
// Rate limits (SPEC §4): every call goes through retry.ts inside a time budget. 429 (and 503
// with Retry-After) is retried after Retry-After for every request; other 5xx and network
// errors only for idempotent ones (reads, PUT issue, close as a whole), never for the POSTs
// that create an issue or a comment, which may have been written before the failure.
// Uploads are never repeated (their source stream is spent). Writes to one issue are paced
// under Jira's per-issue write limits by issue-write-limiter.ts.
import type { Readable } from 'node:stream';
import type { Version3Client, Version3Models } from 'jira.js';
import { z } from 'zod';
import { SyncError } from '../../domain/errors';
import type {
  Attachment,
  Comment,
  CommentVisibility,
  CrmTicket,
  NewCrmTicket,
  Priority,
} from '../../domain/types';
import { DEFAULT_JIRA_PRIORITY_NAMES, type JiraPriorityNames } from '../../domain/priority';
import { DEFAULT_SYNC_JQL, DEFAULT_SYNC_LABEL, type SyncSettings } from '../../domain/settings';
import type { Check } from '../../domain/checks';
import type { Crm } from '../../ports/crm';
import type { Page } from '../../ports/support-cases';
import { textToAdf } from './adf';
import { JiraAttachmentTransfer } from './jira-attachments';
import { JiraClient, type JiraAccess } from './jira-client';
import type { JiraCrmOptions } from './jira-options';
import { diagnoseJira } from './jira-diagnose';
import { JIRA_SOURCE as SOURCE } from './jira-errors';
import {
  googleCaseLabel,
  GOOGLE_CASE_PROPERTY,
  jqlString,
  JSM_VISIBILITY_PROPERTY,
  limitText,
  MIRROR_PROPERTY,
  summaryOf,
  toAttachment,
  toComment,
  toTicket,
  type TicketMapping,
} from './jira-mapping';
import {
  commentPageSchema,
  commentSchema,
  createdSchema,
  issueSchema,
  searchSchema,
  transitionsSchema,
  type JiraComment,
  type JiraIssue,
  type JiraSearchPage,
} from './jira-schemas';

// Kept importable from here (bench/world.ts seeds linked tickets with them).
export { googleCaseLabel, GOOGLE_CASE_PROPERTY } from './jira-mapping';

export type { JiraCrmOptions } from './jira-options';

// --- the adapter -------------------------------------------------------------------------

export class JiraCrm implements Crm {
  private readonly jira: JiraClient;
  private readonly issueType: string;
  private readonly syncJql: string;
  private readonly syncLabel: string;
  private readonly caseField: string | undefined;
  private readonly priorityNames: JiraPriorityNames;
  private readonly mapping: TicketMapping;
  private readonly doneTransition: string | undefined;
  private readonly component: string | null;
  private readonly pageSize: number;
  private readonly issueFields: string[];
  private readonly attachments: JiraAttachmentTransfer;

  constructor(private readonly opts: JiraCrmOptions) {
    this.jira = new JiraClient(opts);
    this.attachments = new JiraAttachmentTransfer(this.jira);
    this.issueType = opts.issueType ?? 'Task';
    this.syncJql = (opts.syncJql ?? DEFAULT_SYNC_JQL)
      .replace(/\s+order\s+by\s+[\s\S]*$/i, '')
      .trim();
    this.syncLabel = opts.syncLabel ?? DEFAULT_SYNC_LABEL;
    this.caseField = opts.googleCaseField;
    if (this.caseField !== undefined && !/^customfield_\d+$/.test(this.caseField)) {
      throw new Error('googleCaseField must look like customfield_NNNNN');
    }
    this.priorityNames = opts.priorityNames ?? DEFAULT_JIRA_PRIORITY_NAMES;
    this.mapping = { caseField: this.caseField, priorityNames: this.priorityNames };
    this.doneTransition = opts.doneTransition;
    this.component = opts.component === undefined ? 'Google Cloud' : opts.component;
    this.pageSize = Math.max(1, Math.min(100, opts.pageSize ?? 100));
    this.issueFields = [
      'summary',
      'description',
      'priority',
      'status',
      'project',
      'created',
      'updated',
      ...(this.caseField !== undefined ? [this.caseField] : []),
    ];
  }

  // --- search ----------------------------------------------------------------------------

  private async search(
    jql: string,
    pageToken: string | undefined,
    maxResults: number,
  ): Promise<JiraSearchPage> {
    return this.jira.call('POST search/jql', searchSchema, () =>
      this.jira.api.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost<unknown>({
        jql,
        ...(pageToken !== undefined ? { nextPageToken: pageToken } : {}),
        maxResults,
        fields: this.issueFields,
        ...(this.caseField === undefined ? { properties: [GOOGLE_CASE_PROPERTY] } : {}),
      }),
    );
  }

  async searchUpdated(updatedAfter: Date, pageToken?: string): Promise<Page<CrmTicket>> {
    // Epoch milliseconds: JQL date literals are minute-granular in the user's time zone.
    const jql = `(${this.syncJql}) AND updated >= ${updatedAfter.getTime()} ORDER BY updated ASC`;
    const page = await this.search(jql, pageToken, this.pageSize);
    const next = page.isLast === true ? undefined : (page.nextPageToken ?? undefined);
    return {
      items: page.issues.map((i) => toTicket(i, this.mapping)),
      ...(next ? { nextPageToken: next } : {}),
    };
  }

  async get(ticketId: string): Promise<CrmTicket | null> {
    try {
      return toTicket(await this.fetchIssue(ticketId, this.issueFields), this.mapping);
    } catch (e) {
      if (e instanceof SyncError && e.status === 404) return null;
      throw e;
    }
  }

  private fetchIssue(ticketId: string, fields: string[]): Promise<JiraIssue> {
    return this.jira.call('GET issue', issueSchema, () =>
      this.jira.api.issues.getIssue<unknown>({
        issueIdOrKey: encodeURIComponent(ticketId),
        fields,
        ...(this.caseField === undefined ? { properties: [GOOGLE_CASE_PROPERTY] } : {}),
      }),
    );
  }

  async findByGoogleCase(caseName: string): Promise<CrmTicket | null> {
    let clause: string;
    if (this.caseField !== undefined) {
      const num = this.caseField.slice('customfield_'.length);
      // Text fields only support `~`; an exact phrase, confirmed below.
      clause = `cf[${num}] ~ ${jqlString(`"${caseName}"`)}`;
    } else {
      clause = `labels = ${jqlString(googleCaseLabel(caseName))}`;
    }
    const page = await this.search(`${clause} ORDER BY created ASC`, undefined, this.pageSize);
    const match = page.issues
      .map((i) => toTicket(i, this.mapping))
      .find((t) => t.googleCaseName === caseName);
    return match ?? null;
  }

  // --- writes ----------------------------------------------------------------------------

  async create(input: NewCrmTicket): Promise<CrmTicket> {
    const labels = [this.syncLabel];
    const fields: Record<string, unknown> = {
      project: { key: this.opts.projectKey },
      issuetype: { name: this.issueType },
      summary: summaryOf(input.summary),
      description: textToAdf(limitText(input.description)),
      priority: { name: this.priorityNames[input.priority] },
      ...(this.component !== null ? { components: [{ name: this.component }] } : {}),
    };
    const properties: Version3Models.EntityProperty[] = [];
    if (this.caseField !== undefined) {
      fields[this.caseField] = input.googleCaseName;
    } else {
      labels.push(googleCaseLabel(input.googleCaseName));
      // Same request as the label: a crash cannot leave a ticket without its link.
      properties.push({ key: GOOGLE_CASE_PROPERTY, value: { name: input.googleCaseName } });
    }
    fields['labels'] = labels;
    const created = await this.jira.call(
      'POST issue',
      createdSchema,
      () =>
        this.jira.api.issues.createIssue<unknown>({
          fields: fields as Parameters<Version3Client['issues']['createIssue']>[0]['fields'],
          ...(properties.length > 0 ? { properties } : {}),
        }),
      { repeat: 'refusals' },
    );
    const ticket = await this.get(created.id);
    if (ticket === null)
      throw new SyncError('retry', 'Jira issue not readable right after creation', {
        source: SOURCE,
      });
    return ticket;
  }

  async linkGoogleCase(ticketId: string, caseName: string): Promise<void> {
    // Setting a field, adding a label and setting a property are all safe to repeat.
    const access: JiraAccess = { repeat: 'idempotent', writeTo: ticketId };
    if (this.caseField !== undefined) {
      await this.jira.callVoid(
        'PUT issue',
        () =>
          this.jira.api.issues.editIssue({
            issueIdOrKey: encodeURIComponent(ticketId),
            fields: { [this.caseField as string]: caseName },
          }),
        access,
      );
      return;
    }
    await this.jira.callVoid(
      'PUT issue',
      () =>
        this.jira.api.issues.editIssue({
          issueIdOrKey: encodeURIComponent(ticketId),
          update: { labels: [{ add: googleCaseLabel(caseName) }] },
          properties: [{ key: GOOGLE_CASE_PROPERTY, value: { name: caseName } }],
        }),
      access,
    );
  }

  async setPriority(ticketId: string, priority: Priority): Promise<void> {
    await this.jira.callVoid(
      'PUT issue',
      () =>
        this.jira.api.issues.editIssue({
          issueIdOrKey: encodeURIComponent(ticketId),
          fields: { priority: { name: this.priorityNames[priority] } },
        }),
      { repeat: 'idempotent', writeTo: ticketId },
    );
  }

  /**
   * Repeating a transition that went through would fail (it no longer applies from Done), so
   * the whole sequence is what gets retried: it starts by reading the status again.
   */
  async close(ticketId: string): Promise<void> {
    await this.jira.repeating('idempotent', () => this.closeOnce(ticketId));
  }

  private async closeOnce(ticketId: string): Promise<void> {
    const issue = await this.jira.callOnce('GET issue', issueSchema, () =>
      this.jira.api.issues.getIssue<unknown>({
        issueIdOrKey: encodeURIComponent(ticketId),
        fields: ['status'],
      }),
    );
    if (issue.fields.status?.statusCategory?.key === 'done') return;
    const { transitions } = await this.jira.callOnce('GET transitions', transitionsSchema, () =>
      this.jira.api.issues.getTransitions<unknown>({ issueIdOrKey: encodeURIComponent(ticketId) }),
    );
    const wanted = this.doneTransition?.toLowerCase();
    const t =
      wanted !== undefined
        ? transitions.find((x) => x.id === this.doneTransition || x.name.toLowerCase() === wanted)
        : transitions.find((x) => x.to?.statusCategory?.key === 'done');
    if (t === undefined) {
      throw new SyncError('permanent', 'No Jira transition closes this ticket', { source: SOURCE });
    }
    await this.jira.callOnce(
      'POST transitions',
      z.unknown(),
      () =>
        this.jira.api.issues.doTransition({
          issueIdOrKey: encodeURIComponent(ticketId),
          transition: { id: t.id },
        }),
      ticketId,
    );
  }

  // --- comments --------------------------------------------------------------------------

  async listComments(ticketId: string, since?: Date): Promise<Comment[]> {
    const me = await this.jira.connectorAccountId();
    const seen = new Map<string, JiraComment>();
    let startAt = 0;
    for (;;) {
      const page = await this.jira.call('GET comments', commentPageSchema, () =>
        this.jira.api.issueComments.getComments<unknown>({
          issueIdOrKey: encodeURIComponent(ticketId),
          startAt,
          maxResults: this.pageSize,
          orderBy: '-created',
          expand: 'properties',
        }),
      );
      let reachedOlder = false;
      for (const c of page.comments) {
        if (since !== undefined && c.created.getTime() <= since.getTime()) {
          reachedOlder = true;
          continue;
        }
        seen.set(c.id, c);
      }
      startAt += page.comments.length;
      const total = page.total ?? Number.POSITIVE_INFINITY;
      if (reachedOlder || page.comments.length === 0 || startAt >= total) break;
    }
    return [...seen.values()]
      .sort((a, b) => a.created.getTime() - b.created.getTime() || Number(a.id) - Number(b.id))
      .map((c) => toComment(c, me));
  }

  async addComment(
    ticketId: string,
    body: string,
    opts: { visibility: CommentVisibility; mirrorOf?: string },
  ): Promise<Comment> {
    const me = await this.jira.connectorAccountId();
    const properties: Version3Models.EntityProperty[] = [
      { key: JSM_VISIBILITY_PROPERTY, value: { internal: opts.visibility === 'internal' } },
    ];
    if (opts.mirrorOf !== undefined)
      properties.push({ key: MIRROR_PROPERTY, value: { mirrorOf: opts.mirrorOf } });
    // Never repeated after a transient failure: the comment may exist already (the task's
    // records and the gcsSync property sort that out on the queue's retry).
    const created = await this.jira.call(
      'POST comment',
      commentSchema,
      () =>
        this.jira.api.issueComments.addComment<unknown>({
          issueIdOrKey: encodeURIComponent(ticketId),
          comment: textToAdf(limitText(body)) as Version3Models.Document,
          properties,
        }),
      { repeat: 'refusals', writeTo: ticketId },
    );
    return toComment(created, me, opts.mirrorOf);
  }

  // --- attachments -----------------------------------------------------------------------

  async listAttachments(ticketId: string): Promise<Attachment[]> {
    const [me, issue] = await Promise.all([
      this.jira.connectorAccountId(),
      this.fetchIssue(ticketId, ['attachment']),
    ]);
    return (issue.fields.attachment ?? [])
      .map((a) => toAttachment(a, me))
      .sort(
        (a, b) => a.createTime.getTime() - b.createTime.getTime() || Number(a.id) - Number(b.id),
      );
  }

  download(_ticketId: string, attachmentId: string): Promise<Readable> {
    return this.attachments.download(attachmentId);
  }

  upload(
    ticketId: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    return this.attachments.upload(ticketId, file);
  }

  uploadLimitBytes(): Promise<number> {
    return this.attachments.uploadLimitBytes();
  }

  diagnose(settings: SyncSettings): Promise<Check[]> {
    const { issueType, syncJql, priorityNames } = this;
    return diagnoseJira(this.jira, { ...this.opts, issueType, syncJql, priorityNames }, settings);
  }
}
