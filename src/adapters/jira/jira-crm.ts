// The Crm port on Jira Cloud (platform REST v3 + JSM comment visibility), built on jira.js
// 5.x Version3Client for JSON calls; attachment bytes are streamed by jira-stream.ts.
// Upstream JSON is checked with zod here and mapped to domain types: raw Jira shapes never
// leave this folder.
//
// Rate limits (SPEC §4): every call goes through retry.ts inside a time budget. 429 (and 503
// with Retry-After) is retried after Retry-After for every request; other 5xx and network
// errors only for idempotent ones (reads, PUT issue, close as a whole), never for the POSTs
// that create an issue or a comment, which may have been written before the failure.
// Uploads are never repeated (their source stream is spent). Writes to one issue are paced
// under Jira's per-issue write limits by issue-write-limiter.ts.
import type { Readable } from 'node:stream';
import { Version3Client, type Version3Models } from 'jira.js';
import { z } from 'zod';
import { SyncError, TooLargeError } from '../../domain/errors';
import type {
  Attachment,
  Comment,
  CommentVisibility,
  CrmTicket,
  NewCrmTicket,
  Priority,
} from '../../domain/types';
import {
  DEFAULT_JIRA_PRIORITY_NAMES,
  priorityFromJiraName,
  type JiraPriorityNames,
} from '../../domain/priority';
import { DEFAULT_SYNC_JQL, DEFAULT_SYNC_LABEL } from '../../domain/settings';
import type { Crm } from '../../ports/crm';
import type { Page } from '../../ports/support-cases';
import { adfToText, textToAdf } from './adf';
import { withRetry, type RetryPolicy } from '../retry';
import { downloadStream, httpError, networkError, uploadStream } from './jira-stream';
import {
  IssueWriteLimiter,
  JIRA_PER_ISSUE_WRITE_LIMITS,
  type WriteWindow,
} from './issue-write-limiter';

export interface JiraCrmOptions {
  /** `https://SITE.atlassian.net` or a simulator URL. */
  readonly baseUrl: string;
  readonly email: string;
  readonly apiToken: string;
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
  /** Per-request timeout (socket idle time for attachment streams). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Page size for search and comments (≤ 100). Default 100. */
  readonly pageSize?: number;
  /**
   * Retries within one call: time budget (default 20 s), attempts, and the clock and sleep
   * also used to pace writes per issue.
   */
  readonly retry?: RetryPolicy;
  /**
   * Writes allowed per issue (sliding windows); false turns pacing off. Default: Jira
   * Cloud's documented 20 per 2 s and 100 per 30 s.
   */
  readonly perIssueWriteLimits?: readonly WriteWindow[] | false;
  /** Safety margin added to each per-issue window. Default 200 ms. */
  readonly perIssueWriteMarginMs?: number;
}

/**
 * How a request may be repeated: `idempotent` on any transient failure, `refusals` only when
 * Jira refused it (rate-limited: nothing was written). `writeTo` paces it as a write to
 * that issue (each attempt takes a slot).
 */
interface Access {
  readonly repeat: 'idempotent' | 'refusals';
  readonly writeTo?: string;
}
const READ: Access = { repeat: 'idempotent' };

/** Issue property holding the Google case name when no custom field is configured. */
export const GOOGLE_CASE_PROPERTY = 'googleCase';
/** Comment property marking a comment written by the connector as a mirror. */
export const MIRROR_PROPERTY = 'gcsSync';
const JSM_VISIBILITY_PROPERTY = 'sd.public.comment';
const SUMMARY_MAX = 255;
const TEXT_MAX = 32_767;
const SOURCE = 'jira';

// --- upstream shapes (checked at the boundary) --------------------------------------------

const jiraDate = z.string().transform((s, ctx) => {
  const d = new Date(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'invalid date' });
    return z.NEVER;
  }
  return d;
});

const userSchema = z.object({
  accountId: z.string().optional(),
  displayName: z.string().optional(),
});

const attachmentSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  filename: z.string(),
  mimeType: z.string().optional(),
  size: z.number(),
  created: jiraDate,
  author: userSchema.optional(),
});

const issueSchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z
    .object({
      summary: z.string().optional(),
      description: z.unknown().optional(),
      priority: z.object({ name: z.string() }).nullable().optional(),
      status: z.object({ statusCategory: z.object({ key: z.string() }).optional() }).optional(),
      project: z.object({ key: z.string() }).optional(),
      created: jiraDate.optional(),
      updated: jiraDate.optional(),
      attachment: z.array(attachmentSchema).optional(),
    })
    .catchall(z.unknown()),
  properties: z.record(z.string(), z.unknown()).optional(),
});
type JiraIssue = z.infer<typeof issueSchema>;

const searchSchema = z.object({
  issues: z.array(issueSchema),
  nextPageToken: z.string().nullable().optional(),
  isLast: z.boolean().optional(),
});

const createdSchema = z.object({ id: z.string(), key: z.string() });

const propertyListSchema = z.array(z.object({ key: z.string(), value: z.unknown() })).optional();

const commentSchema = z.object({
  id: z.string(),
  author: userSchema.optional(),
  body: z.unknown(),
  created: jiraDate,
  jsdPublic: z.boolean().optional(),
  properties: propertyListSchema,
});
type JiraComment = z.infer<typeof commentSchema>;

const commentPageSchema = z.object({
  startAt: z.number().optional(),
  total: z.number().optional(),
  comments: z.array(commentSchema),
});

const transitionsSchema = z.object({
  transitions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      to: z.object({ statusCategory: z.object({ key: z.string() }).optional() }).optional(),
    }),
  ),
});

const myselfSchema = z.object({ accountId: z.string() });
const attachmentMetaSchema = z.object({ enabled: z.boolean(), uploadLimit: z.number() });
const caseNameProperty = z.object({ name: z.string() });
const mirrorProperty = z.object({ mirrorOf: z.string() });

// --- helpers --------------------------------------------------------------------------------

/** Quotes a JQL string literal. */
function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

function summaryOf(text: string): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ').trim();
  return truncateChars(oneLine === '' ? '(no summary)' : oneLine, SUMMARY_MAX);
}

function limitText(text: string): string {
  const note = '\n\n[truncated]';
  return text.length <= TEXT_MAX ? text : truncateChars(text, TEXT_MAX - note.length - 16) + note;
}

/** `organizations/1/cases/2` → `2` (label-safe), or null. */
export function caseNumberOf(caseName: string): string | null {
  const last = caseName.split('/').pop() ?? '';
  return /^[A-Za-z0-9_-]+$/.test(last) ? last : null;
}

export function googleCaseLabel(caseName: string): string {
  const n = caseNumberOf(caseName);
  if (n === null)
    throw new SyncError('permanent', 'Google case name has no usable case number', {
      source: SOURCE,
    });
  return `google-case-${n}`;
}

function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const direct = (e as { status?: unknown }).status;
  const res = (e as { response?: { status?: unknown } }).response;
  const cause = (e as { cause?: { response?: { status?: unknown } } }).cause;
  for (const s of [cause?.response?.status, res?.status, direct])
    if (typeof s === 'number' && s > 0) return s;
  return undefined;
}

function retryAfterOf(e: unknown): string | undefined {
  const candidates = [
    (e as { cause?: { response?: { headers?: unknown } } })?.cause?.response?.headers,
    (e as { response?: { headers?: unknown } })?.response?.headers,
  ];
  for (const h of candidates) {
    if (typeof h !== 'object' || h === null) continue;
    const getter = (h as { get?: unknown }).get;
    const v =
      typeof getter === 'function'
        ? (getter as (n: string) => unknown).call(h, 'retry-after')
        : (h as Record<string, unknown>)['retry-after'];
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** Classifies anything jira.js/axios throws (never keeps the cause: it holds headers and bodies). */
function classify(op: string, e: unknown): SyncError {
  if (e instanceof SyncError) return e;
  const isHttpException = e instanceof Error && e.name === 'HttpException';
  const hasResponse =
    typeof (e as { response?: unknown })?.response === 'object' ||
    typeof (e as { cause?: { response?: unknown } })?.cause?.response === 'object';
  const status = statusOf(e);
  if (status !== undefined && (hasResponse || isHttpException))
    return httpError(op, status, retryAfterOf(e));
  return networkError(op, e);
}

function parse<T>(op: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    throw new SyncError('permanent', `Jira ${op} answered an unexpected shape`, { source: SOURCE });
  }
  return r.data;
}

// --- the adapter -------------------------------------------------------------------------

export class JiraCrm implements Crm {
  private readonly client: Version3Client;
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly issueType: string;
  private readonly syncJql: string;
  private readonly syncLabel: string;
  private readonly caseField: string | undefined;
  private readonly priorityNames: JiraPriorityNames;
  private readonly doneTransition: string | undefined;
  private readonly component: string | null;
  private readonly pageSize: number;
  private readonly issueFields: string[];
  private myAccountId: Promise<string> | undefined;
  private uploadLimit: Promise<number> | undefined;
  private readonly retry: RetryPolicy;
  private readonly writeLimiter: IssueWriteLimiter | undefined;

  constructor(private readonly opts: JiraCrmOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${opts.email}:${opts.apiToken}`).toString('base64')}`;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
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
    this.doneTransition = opts.doneTransition;
    this.component = opts.component === undefined ? 'Google Cloud' : opts.component;
    this.pageSize = Math.max(1, Math.min(100, opts.pageSize ?? 100));
    this.retry = opts.retry ?? {};
    const limits = opts.perIssueWriteLimits ?? JIRA_PER_ISSUE_WRITE_LIMITS;
    this.writeLimiter =
      limits === false || limits.length === 0
        ? undefined
        : new IssueWriteLimiter(limits, {
            now: this.retry.now,
            sleep: this.retry.sleep,
            marginMs: opts.perIssueWriteMarginMs,
          });
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
    this.client = new Version3Client({
      host: this.baseUrl,
      authentication: { basic: { email: opts.email, apiToken: opts.apiToken } },
      // axios does not retry; the queue does. Redirects are not followed for JSON calls.
      baseRequestConfig: { timeout: this.timeoutMs, maxRedirects: 0 },
    });
  }

  /** One JSON call, checked against `schema`, repeated as `access` allows. */
  private call<T>(
    op: string,
    schema: z.ZodType<T>,
    fn: () => Promise<unknown>,
    access: Access = READ,
  ): Promise<T> {
    return this.repeating(access.repeat, () => this.callOnce(op, schema, fn, access.writeTo));
  }

  private async callVoid(op: string, fn: () => Promise<unknown>, access: Access): Promise<void> {
    await this.call(op, z.unknown(), fn, access);
  }

  /** One attempt: waits for a write slot on `writeTo`, sends, classifies, checks. */
  private async callOnce<T>(
    op: string,
    schema: z.ZodType<T>,
    fn: () => Promise<unknown>,
    writeTo?: string,
  ): Promise<T> {
    if (writeTo !== undefined) await this.writeLimiter?.acquire(writeTo);
    let data: unknown;
    try {
      data = await fn();
    } catch (e) {
      throw classify(op, e);
    }
    return parse(op, schema, data);
  }

  private repeating<R>(repeat: Access['repeat'], attempt: () => Promise<R>): Promise<R> {
    return withRetry(attempt, { ...this.retry, idempotent: repeat === 'idempotent' });
  }

  // --- mapping -------------------------------------------------------------------------

  private caseNameOf(issue: JiraIssue): string | null {
    if (this.caseField !== undefined) {
      const v = issue.fields[this.caseField];
      return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
    }
    const prop = caseNameProperty.safeParse(issue.properties?.[GOOGLE_CASE_PROPERTY]);
    return prop.success ? prop.data.name : null;
  }

  private toTicket(issue: JiraIssue): CrmTicket {
    const f = issue.fields;
    if (f.created === undefined || f.updated === undefined || f.project === undefined) {
      throw new SyncError('permanent', 'Jira issue answered without its dates or project', {
        source: SOURCE,
      });
    }
    return {
      id: issue.id,
      key: issue.key,
      summary: f.summary ?? '',
      description: adfToText(f.description ?? null),
      priority: priorityFromJiraName(this.priorityNames, f.priority?.name),
      closed: f.status?.statusCategory?.key === 'done',
      createTime: f.created,
      updateTime: f.updated,
      googleCaseName: this.caseNameOf(issue),
      projectKey: f.project.key,
    };
  }

  private async connectorAccountId(): Promise<string> {
    this.myAccountId ??= this.call('GET myself', myselfSchema, () =>
      this.client.myself.getCurrentUser<unknown>({}),
    ).then(
      (me) => me.accountId,
      (e: unknown) => {
        this.myAccountId = undefined;
        throw e;
      },
    );
    return this.myAccountId;
  }

  private toComment(c: JiraComment, me: string, mirrorOf?: string): Comment {
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

  private toAttachment(a: z.infer<typeof attachmentSchema>, me: string): Attachment {
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

  // --- search ----------------------------------------------------------------------------

  private async search(
    jql: string,
    pageToken: string | undefined,
    maxResults: number,
  ): Promise<z.infer<typeof searchSchema>> {
    return this.call('POST search/jql', searchSchema, () =>
      this.client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost<unknown>({
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
      items: page.issues.map((i) => this.toTicket(i)),
      ...(next ? { nextPageToken: next } : {}),
    };
  }

  async get(ticketId: string): Promise<CrmTicket | null> {
    try {
      return this.toTicket(await this.fetchIssue(ticketId, this.issueFields));
    } catch (e) {
      if (e instanceof SyncError && e.status === 404) return null;
      throw e;
    }
  }

  private fetchIssue(ticketId: string, fields: string[]): Promise<JiraIssue> {
    return this.call('GET issue', issueSchema, () =>
      this.client.issues.getIssue<unknown>({
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
      .map((i) => this.toTicket(i))
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
    const created = await this.call(
      'POST issue',
      createdSchema,
      () =>
        this.client.issues.createIssue<unknown>({
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
    const access: Access = { repeat: 'idempotent', writeTo: ticketId };
    if (this.caseField !== undefined) {
      await this.callVoid(
        'PUT issue',
        () =>
          this.client.issues.editIssue({
            issueIdOrKey: encodeURIComponent(ticketId),
            fields: { [this.caseField as string]: caseName },
          }),
        access,
      );
      return;
    }
    await this.callVoid(
      'PUT issue',
      () =>
        this.client.issues.editIssue({
          issueIdOrKey: encodeURIComponent(ticketId),
          update: { labels: [{ add: googleCaseLabel(caseName) }] },
          properties: [{ key: GOOGLE_CASE_PROPERTY, value: { name: caseName } }],
        }),
      access,
    );
  }

  async setPriority(ticketId: string, priority: Priority): Promise<void> {
    await this.callVoid(
      'PUT issue',
      () =>
        this.client.issues.editIssue({
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
    await this.repeating('idempotent', () => this.closeOnce(ticketId));
  }

  private async closeOnce(ticketId: string): Promise<void> {
    const issue = await this.callOnce('GET issue', issueSchema, () =>
      this.client.issues.getIssue<unknown>({
        issueIdOrKey: encodeURIComponent(ticketId),
        fields: ['status'],
      }),
    );
    if (issue.fields.status?.statusCategory?.key === 'done') return;
    const { transitions } = await this.callOnce('GET transitions', transitionsSchema, () =>
      this.client.issues.getTransitions<unknown>({ issueIdOrKey: encodeURIComponent(ticketId) }),
    );
    const wanted = this.doneTransition?.toLowerCase();
    const t =
      wanted !== undefined
        ? transitions.find((x) => x.id === this.doneTransition || x.name.toLowerCase() === wanted)
        : transitions.find((x) => x.to?.statusCategory?.key === 'done');
    if (t === undefined) {
      throw new SyncError('permanent', 'No Jira transition closes this ticket', { source: SOURCE });
    }
    await this.callOnce(
      'POST transitions',
      z.unknown(),
      () =>
        this.client.issues.doTransition({
          issueIdOrKey: encodeURIComponent(ticketId),
          transition: { id: t.id },
        }),
      ticketId,
    );
  }

  // --- comments --------------------------------------------------------------------------

  async listComments(ticketId: string, since?: Date): Promise<Comment[]> {
    const me = await this.connectorAccountId();
    const seen = new Map<string, JiraComment>();
    let startAt = 0;
    for (;;) {
      const page = await this.call('GET comments', commentPageSchema, () =>
        this.client.issueComments.getComments<unknown>({
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
      .map((c) => this.toComment(c, me));
  }

  async addComment(
    ticketId: string,
    body: string,
    opts: { visibility: CommentVisibility; mirrorOf?: string },
  ): Promise<Comment> {
    const me = await this.connectorAccountId();
    const properties: Version3Models.EntityProperty[] = [
      { key: JSM_VISIBILITY_PROPERTY, value: { internal: opts.visibility === 'internal' } },
    ];
    if (opts.mirrorOf !== undefined)
      properties.push({ key: MIRROR_PROPERTY, value: { mirrorOf: opts.mirrorOf } });
    // Never repeated after a transient failure: the comment may exist already (the task's
    // records and the gcsSync property sort that out on the queue's retry).
    const created = await this.call(
      'POST comment',
      commentSchema,
      () =>
        this.client.issueComments.addComment<unknown>({
          issueIdOrKey: encodeURIComponent(ticketId),
          comment: textToAdf(limitText(body)) as Version3Models.Document,
          properties,
        }),
      { repeat: 'refusals', writeTo: ticketId },
    );
    return this.toComment(created, me, opts.mirrorOf);
  }

  // --- attachments -----------------------------------------------------------------------

  async listAttachments(ticketId: string): Promise<Attachment[]> {
    const [me, issue] = await Promise.all([
      this.connectorAccountId(),
      this.fetchIssue(ticketId, ['attachment']),
    ]);
    return (issue.fields.attachment ?? [])
      .map((a) => this.toAttachment(a, me))
      .sort(
        (a, b) => a.createTime.getTime() - b.createTime.getTime() || Number(a.id) - Number(b.id),
      );
  }

  async download(_ticketId: string, attachmentId: string): Promise<Readable> {
    if (!/^\d+$/.test(attachmentId))
      throw new SyncError('permanent', 'Invalid Jira attachment id', { source: SOURCE });
    // Retried until the headers arrive; a stream that breaks later is the caller's retry.
    return this.repeating('idempotent', () =>
      downloadStream(`${this.baseUrl}/rest/api/3/attachment/content/${attachmentId}`, {
        authorization: this.authorization,
        timeoutMs: this.timeoutMs,
      }),
    );
  }

  async upload(
    ticketId: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    // Until the request pipes it, a failing source must not become an unhandled 'error'
    // (uploadStream checks `errored` before sending).
    const ignoreUntilPiped = (): void => undefined;
    file.content.on('error', ignoreUntilPiped);
    let limit: number;
    let me: string;
    try {
      [limit, me] = await Promise.all([this.uploadLimitBytes(), this.connectorAccountId()]);
    } catch (e) {
      file.content.destroy();
      throw e;
    }
    if (file.sizeBytes > limit) {
      file.content.destroy();
      throw new TooLargeError('Attachment exceeds the Jira site upload limit', {
        limitBytes: limit,
        source: SOURCE,
      });
    }
    let json: unknown;
    try {
      // One attempt only (the source stream is spent by it), but paced like any write.
      await this.writeLimiter?.acquire(ticketId);
    } catch (e) {
      file.content.off('error', ignoreUntilPiped);
      file.content.destroy();
      throw e;
    }
    try {
      json = await uploadStream(
        `${this.baseUrl}/rest/api/3/issue/${encodeURIComponent(ticketId)}/attachments`,
        file,
        { authorization: this.authorization, timeoutMs: this.timeoutMs },
      );
    } catch (e) {
      if (e instanceof TooLargeError) {
        throw new TooLargeError('Attachment exceeds the Jira site upload limit', {
          limitBytes: limit,
          source: SOURCE,
        });
      }
      throw e;
    } finally {
      file.content.off('error', ignoreUntilPiped);
    }
    const list = parse('POST attachments', z.array(attachmentSchema).min(1), json);
    return this.toAttachment(list[0] as z.infer<typeof attachmentSchema>, me);
  }

  async uploadLimitBytes(): Promise<number> {
    this.uploadLimit ??= this.call('GET attachment/meta', attachmentMetaSchema, () =>
      this.client.issueAttachments.getAttachmentMeta<unknown>(),
    ).then(
      (meta) => (meta.enabled ? meta.uploadLimit : 0),
      (e: unknown) => {
        this.uploadLimit = undefined;
        throw e;
      },
    );
    return this.uploadLimit;
  }
}
