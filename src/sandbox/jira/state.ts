// State of the Jira simulator: projects, issues (with the versions a lagging search index
// still shows), comments, attachments, properties and users. Pure in-memory; the route
// plugins render it in Jira's wire format.
import { randomBytes } from 'node:crypto';
import { simAdfToText, type SimAdfDoc } from './adf';
import type { JqlIssue, JqlSite } from './jql-fields';
import {
  accountIdFor,
  dedupe,
  ISSUE_NOT_FOUND,
  SIM_STATUSES,
  SimError,
  STATUS_CATEGORIES,
  type AttachmentRecord,
  type CommentRecord,
  type IssueFields,
  type IssueRecord,
  type JiraSimCustomField,
  type JiraSimProject,
  type JiraStateOptions,
  type SimStatus,
  type SimUser,
} from './state-model';
import { snapshotIssue, type IssueSnapshot } from './snapshots';

/** A change the state made, for webhooks (webhooks.ts): who made it, and to what. */
export interface JiraChange {
  readonly kind: 'created' | 'updated' | 'commented' | 'attached';
  readonly issue: IssueRecord;
  /** The fields before an `updated` change. */
  readonly before?: IssueFields;
  readonly actorId: string;
  readonly comment?: CommentRecord;
  readonly attachment?: AttachmentRecord;
}

export class JiraState {
  readonly projects: readonly Required<JiraSimProject>[];
  readonly priorities: readonly string[];
  readonly issueTypes: readonly string[];
  readonly customFields: readonly JiraSimCustomField[];
  readonly apiUser: SimUser;
  readonly searchLagMs: number;
  private readonly clock: () => Date;
  private readonly issues = new Map<string, IssueRecord>();
  private readonly keyIndex = new Map<string, string>();
  private readonly projectCounters = new Map<string, number>();
  private readonly attachments = new Map<string, AttachmentRecord>();
  private readonly commentIndex = new Map<string, CommentRecord>();
  private readonly users = new Map<string, SimUser>();
  private nextIssueId = 10001;
  private nextCommentId = 10100;
  private nextAttachmentId = 10200;
  private readonly listeners: Array<(c: JiraChange) => void> = [];
  /** Media tokens for attachment downloads: token → {attachment id, expiry}. */
  private readonly mediaTokens = new Map<string, { attachmentId: string; expires: number }>();

  constructor(opts: JiraStateOptions) {
    this.projects = opts.projects.map((p) => ({
      key: p.key.toUpperCase(),
      id: p.id,
      name: p.name ?? p.key,
      components: [...(p.components ?? [])],
      type: p.type ?? 'service_desk',
    }));
    this.priorities = [...opts.priorities];
    this.issueTypes = [...opts.issueTypes];
    this.customFields = [...opts.customFields];
    this.apiUser = opts.apiUser;
    this.clock = opts.now;
    this.searchLagMs = opts.searchLagMs;
    this.users.set(this.apiUser.accountId, this.apiUser);
  }

  nowMs(): number {
    return this.clock().getTime();
  }

  // --- users ---------------------------------------------------------------------------

  user(accountId: string): SimUser {
    return (
      this.users.get(accountId) ?? {
        accountId,
        displayName: 'Former user',
        accountType: 'atlassian',
      }
    );
  }

  /** The user a "person" acts as (created on first use, stable per display name). */
  person(displayName: string | undefined): SimUser {
    const name = displayName ?? 'Jira Agent';
    const accountId = accountIdFor(`person:${name}`);
    const existing = this.users.get(accountId);
    if (existing) return existing;
    const u: SimUser = {
      accountId,
      displayName: name,
      emailAddress: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com`,
      accountType: 'atlassian',
    };
    this.users.set(accountId, u);
    return u;
  }

  // --- lookups -------------------------------------------------------------------------

  project(keyOrId: string): Required<JiraSimProject> | undefined {
    return this.projects.find((p) => p.key === keyOrId.toUpperCase() || p.id === keyOrId);
  }

  status(name: string): SimStatus {
    return SIM_STATUSES.find((s) => s.name === name) ?? (SIM_STATUSES[0] as SimStatus);
  }

  find(idOrKey: string): IssueRecord | undefined {
    const id = /^\d+$/.test(idOrKey) ? idOrKey : this.keyIndex.get(idOrKey.toUpperCase());
    return id === undefined ? undefined : this.issues.get(id);
  }

  get(idOrKey: string): IssueRecord {
    const issue = this.find(idOrKey);
    if (!issue) throw new SimError(404, [ISSUE_NOT_FOUND]);
    return issue;
  }

  all(): IssueRecord[] {
    return [...this.issues.values()];
  }

  attachment(id: string): AttachmentRecord | undefined {
    return /^\d+$/.test(id) ? this.attachments.get(id) : undefined;
  }

  comment(id: string): CommentRecord | undefined {
    return this.commentIndex.get(id);
  }

  // --- writes --------------------------------------------------------------------------

  /** Calls `listener` after every change (issue created or edited, comment, attachment). */
  onChange(listener: (c: JiraChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(c: JiraChange): void {
    for (const l of this.listeners) l(c);
  }

  /** Replaces the issue's fields as `actorId` (default: the API user), bumping `updated`. */
  write(issue: IssueRecord, change: Partial<IssueFields>, actorId?: string): void {
    const before = issue.fields;
    this.apply(issue, change);
    this.emit({ kind: 'updated', issue, before, actorId: actorId ?? this.apiUser.accountId });
  }

  /** Replaces the issue's fields, bumping `updated` (strictly increasing). */
  private apply(issue: IssueRecord, change: Partial<IssueFields>): void {
    const now = this.nowMs();
    const updated = Math.max(now, issue.fields.updated + 1);
    const fields: IssueFields = { ...issue.fields, ...change, updated };
    issue.fields = fields;
    this.recordVersion(issue, now);
  }

  private recordVersion(issue: IssueRecord, at: number): void {
    issue.versions.push({ at, fields: issue.fields });
    // Drop versions the index has already superseded.
    const horizon = at - this.searchLagMs;
    let lastSettled = -1;
    issue.versions.forEach((v, i) => {
      if (v.at <= horizon) lastSettled = i;
    });
    if (lastSettled > 0) issue.versions = issue.versions.slice(lastSettled);
  }

  createIssue(input: {
    projectKey: string;
    summary: string;
    description: SimAdfDoc | null;
    priority?: string;
    labels?: readonly string[];
    components?: readonly string[];
    issueType?: string;
    custom?: Record<string, unknown>;
    properties?: readonly { key: string; value: unknown }[];
    reporterId: string;
    createdAt?: Date;
  }): IssueRecord {
    const project = this.project(input.projectKey);
    if (!project) throw new SimError(400, [], { project: 'Specify a valid project ID or key' });
    const num = (this.projectCounters.get(project.key) ?? 0) + 1;
    this.projectCounters.set(project.key, num);
    const id = String(this.nextIssueId++);
    const key = `${project.key}-${num}`;
    const now = this.nowMs();
    const created = input.createdAt?.getTime() ?? now;
    const fields: IssueFields = {
      key,
      projectKey: project.key,
      summary: input.summary,
      description: input.description,
      priority: input.priority ?? 'Medium',
      status: 'To Do',
      labels: dedupe(input.labels ?? []),
      components: [...(input.components ?? [])],
      issueType: input.issueType ?? 'Task',
      custom: { ...(input.custom ?? {}) },
      attachmentIds: [],
      commentCount: 0,
      created,
      updated: Math.max(now, created),
      resolutionDate: null,
      reporterId: input.reporterId,
    };
    const issue: IssueRecord = {
      id,
      keys: [key],
      fields,
      versions: [],
      properties: new Map((input.properties ?? []).map((p) => [p.key, p.value])),
      comments: [],
    };
    this.recordVersion(issue, now);
    this.issues.set(id, issue);
    this.keyIndex.set(key, id);
    this.emit({ kind: 'created', issue, actorId: input.reporterId });
    return issue;
  }

  deleteIssue(idOrKey: string): void {
    const issue = this.get(idOrKey);
    this.issues.delete(issue.id);
    for (const k of issue.keys) this.keyIndex.delete(k);
    for (const a of issue.fields.attachmentIds) this.attachments.delete(a);
    for (const c of issue.comments) this.commentIndex.delete(c.id);
  }

  moveIssue(idOrKey: string, projectKey: string): IssueRecord {
    const issue = this.get(idOrKey);
    const project = this.project(projectKey);
    if (!project) throw new SimError(400, [], { project: 'Specify a valid project ID or key' });
    if (project.key === issue.fields.projectKey) return issue;
    const num = (this.projectCounters.get(project.key) ?? 0) + 1;
    this.projectCounters.set(project.key, num);
    const key = `${project.key}-${num}`;
    issue.keys.push(key);
    this.keyIndex.set(key, issue.id);
    const components = issue.fields.components.filter((c) => project.components.includes(c));
    this.write(
      issue,
      { key, projectKey: project.key, components },
      this.person(undefined).accountId,
    );
    return issue;
  }

  transition(issue: IssueRecord, statusName: string, actorId?: string): void {
    const target = this.status(statusName);
    const done = target.categoryKey === 'done';
    this.write(issue, { status: target.name, resolutionDate: done ? this.nowMs() : null }, actorId);
  }

  addComment(
    issue: IssueRecord,
    input: {
      authorId: string;
      body: unknown;
      internal: boolean;
      properties?: readonly { key: string; value: unknown }[];
    },
  ): CommentRecord {
    const project = this.project(issue.fields.projectKey);
    const now = this.nowMs();
    const last = issue.comments[issue.comments.length - 1];
    const created = last === undefined ? now : Math.max(now, last.created);
    const c: CommentRecord = {
      id: String(this.nextCommentId++),
      issueId: issue.id,
      authorId: input.authorId,
      body: input.body,
      created,
      updated: created,
      jsdPublic: project?.type === 'service_desk' ? !input.internal : undefined,
      properties: new Map((input.properties ?? []).map((p) => [p.key, p.value])),
    };
    issue.comments.push(c);
    this.commentIndex.set(c.id, c);
    this.apply(issue, { commentCount: issue.comments.length });
    this.emit({ kind: 'commented', issue, actorId: c.authorId, comment: c });
    return c;
  }

  addAttachment(
    issue: IssueRecord,
    input: {
      filename: string;
      mimeType: string;
      chunks: readonly Buffer[];
      size: number;
      authorId: string;
    },
  ): AttachmentRecord {
    const a: AttachmentRecord = {
      id: String(this.nextAttachmentId++),
      issueId: issue.id,
      filename: input.filename,
      mimeType: input.mimeType,
      size: input.size,
      created: this.nowMs(),
      authorId: input.authorId,
      chunks: input.chunks,
    };
    this.attachments.set(a.id, a);
    this.apply(issue, { attachmentIds: [...issue.fields.attachmentIds, a.id] });
    this.emit({ kind: 'attached', issue, actorId: a.authorId, attachment: a });
    return a;
  }

  mediaToken(attachmentId: string): string {
    const token = randomBytes(18).toString('base64url');
    this.mediaTokens.set(token, { attachmentId, expires: this.nowMs() + 10 * 60_000 });
    return token;
  }

  redeemMediaToken(token: string, attachmentId: string): boolean {
    const t = this.mediaTokens.get(token);
    return t !== undefined && t.attachmentId === attachmentId && t.expires > this.nowMs();
  }

  // --- search --------------------------------------------------------------------------

  /** The fields the search index shows for an issue now (undefined: not indexed yet). */
  indexedFields(issue: IssueRecord): IssueFields | undefined {
    if (this.searchLagMs <= 0) return issue.fields;
    const horizon = this.nowMs() - this.searchLagMs;
    let visible: IssueFields | undefined;
    for (const v of issue.versions) if (v.at <= horizon) visible = v.fields;
    return visible;
  }

  jqlSite(): JqlSite {
    return {
      projects: this.projects,
      statuses: SIM_STATUSES.map((s) => ({
        name: s.name,
        categoryKey: s.categoryKey,
        categoryName: STATUS_CATEGORIES[s.categoryKey].name,
      })),
      priorities: this.priorities,
      issueTypes: this.issueTypes,
      customFields: this.customFields,
      nowMs: this.nowMs(),
    };
  }

  jqlView(issue: IssueRecord, fields: IssueFields): JqlIssue {
    const project = this.project(fields.projectKey);
    return {
      id: issue.id,
      keys: [fields.key, ...issue.keys.filter((k) => k !== fields.key)],
      projectKey: fields.projectKey,
      projectId: project?.id ?? '',
      summary: fields.summary,
      descriptionText: simAdfToText(fields.description),
      labels: fields.labels,
      components: fields.components,
      status: fields.status,
      statusCategoryKey: this.status(fields.status).categoryKey,
      priority: fields.priority,
      issueType: fields.issueType,
      createdMs: fields.created,
      updatedMs: fields.updated,
      custom: fields.custom,
    };
  }

  // --- snapshots -----------------------------------------------------------------------

  snapshot(issue: IssueRecord): IssueSnapshot {
    return snapshotIssue(this, issue);
  }
}
