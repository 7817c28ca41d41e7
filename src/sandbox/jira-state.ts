// State of the Jira simulator: projects, issues (with the versions a lagging search index
// still shows), comments, attachments, properties and users. Pure in-memory; the HTTP layer
// (jira-simulator.ts) renders it in Jira's wire format.
import { createHash, randomBytes } from 'node:crypto';
import { simAdfToText, simTextToAdf, type SimAdfDoc } from './jira-adf';
import type { JqlIssue, JqlSite } from './jira-jql';

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

export interface JiraStateOptions {
  readonly projects: readonly JiraSimProject[];
  readonly priorities: readonly string[];
  readonly issueTypes: readonly string[];
  readonly customFields: readonly JiraSimCustomField[];
  readonly apiUser: SimUser;
  readonly now: () => Date;
  readonly searchLagMs: number;
}

function accountIdFor(seed: string): string {
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

  /** Replaces the issue's fields, bumping `updated` (strictly increasing). */
  write(issue: IssueRecord, change: Partial<IssueFields>): void {
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
    this.write(issue, { key, projectKey: project.key, components });
    return issue;
  }

  transition(issue: IssueRecord, statusName: string): void {
    const target = this.status(statusName);
    const done = target.categoryKey === 'done';
    this.write(issue, {
      status: target.name,
      resolutionDate: done ? this.nowMs() : null,
    });
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
    this.write(issue, { commentCount: issue.comments.length });
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
    this.write(issue, { attachmentIds: [...issue.fields.attachmentIds, a.id] });
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
    const f = issue.fields;
    const who = (id: string): { accountId: string; displayName: string } => ({
      accountId: id,
      displayName: this.user(id).displayName,
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
      statusCategory: this.status(f.status).categoryKey,
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
        .map((id) => this.attachments.get(id))
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
}

export function dedupe(labels: readonly string[]): string[] {
  return [...new Set(labels)];
}

export { simTextToAdf };

// --- per-issue write limit ----------------------------------------------------------------

export interface SimWriteWindow {
  /** Writes accepted within any `windowMs` on one issue. */
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Jira Cloud's documented per-issue write limits (developer.atlassian.com/cloud/jira/platform/
 * rate-limiting, "Per-issue write limits"): 20 writes per 2 s and 100 per 30 s on one issue.
 */
export const JIRA_PER_ISSUE_WRITE_LIMITS: readonly SimWriteWindow[] = [
  { limit: 20, windowMs: 2_000 },
  { limit: 100, windowMs: 30_000 },
];

/** The `RateLimit-Reason` Jira sends when a per-issue write limit refused a request. */
export const PER_ISSUE_WRITE_REASON = 'jira-per-issue-on-write';

/**
 * Sliding-window counts of accepted writes per issue. A write at `now` is refused when some
 * window already holds `limit` writes in (now − windowMs, now]; refused writes do not count.
 */
export class PerIssueWriteLimit {
  private windows: readonly SimWriteWindow[];
  private readonly accepted = new Map<string, number[]>();
  private rejectedCount = 0;

  constructor(windows: readonly SimWriteWindow[]) {
    this.windows = PerIssueWriteLimit.checked(windows);
  }

  private static checked(windows: readonly SimWriteWindow[]): readonly SimWriteWindow[] {
    for (const w of windows) {
      if (!(
        Number.isInteger(w.limit) &&
        w.limit >= 1 &&
        Number.isFinite(w.windowMs) &&
        w.windowMs > 0
      ))
        throw new Error('a write window needs a positive integer limit and a positive windowMs');
    }
    return windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs }));
  }

  /** Replaces the windows (an empty list turns the limit off). Counts are kept. */
  setWindows(windows: readonly SimWriteWindow[]): void {
    this.windows = PerIssueWriteLimit.checked(windows);
  }

  limits(): SimWriteWindow[] {
    return this.windows.map((w) => ({ ...w }));
  }

  /** Writes refused so far. */
  rejected(): number {
    return this.rejectedCount;
  }

  /** Admits (and counts) one write to `issueId` at `now`, or returns the seconds to wait. */
  admit(issueId: string, now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.windows.length === 0) return { ok: true };
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    const list = (this.accepted.get(issueId) ?? []).filter((t) => t > now - longest);
    let freeAt = now;
    for (const w of this.windows) {
      const inWindow = list.filter((t) => t > now - w.windowMs);
      if (inWindow.length >= w.limit) {
        // The window has room once its (count − limit + 1)-th oldest write has left it.
        const leaving = inWindow[inWindow.length - w.limit] as number;
        freeAt = Math.max(freeAt, leaving + w.windowMs);
      }
    }
    if (freeAt > now) {
      this.accepted.set(issueId, list);
      this.rejectedCount += 1;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
    }
    list.push(now);
    if (list.length > 1 && (list[list.length - 2] as number) > now) list.sort((a, b) => a - b);
    this.accepted.set(issueId, list);
    return { ok: true };
  }
}
