// A stateful HTTP simulator of Jira Cloud platform REST v3 (+ the JSM bits we use), in
// Jira's real wire format: enhanced JQL search (with a lagging index), issues, transitions,
// comments (JSM internal comments via `sd.public.comment`), properties, attachments
// (multipart upload with the XSRF header and the site's limit, 303 download redirect to a
// media URL), /myself, priorities, fields. Plus Jira Cloud's per-issue write limit (429 +
// Retry-After), fault injection, stats, an exchange hook, a programmatic "person" API and a
// /_control HTTP API for tests and the sandbox.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import busboy from 'busboy';
import type { Exchange } from './exchange';
import { adfProblem, simAdfToText, simTextToAdf } from './jira/adf';
import { compileJql } from './jira/jql-compiler';
import { JqlError } from './jira/jql-parser';
import { FaultRegistry, type FaultSpec, type FiredFault } from './faults';
import { JiraState } from './jira/state';
import {
  apiUserFor,
  COMMENT_MAX_CHARS,
  dedupe,
  DEFAULT_ISSUE_TYPES,
  DEFAULT_PRIORITIES,
  ISSUE_NOT_FOUND,
  SIM_STATUSES,
  SIM_TRANSITIONS,
  SimError,
  STATUS_CATEGORIES,
  type AttachmentRecord,
  type CommentRecord,
  type IssueFields,
  type IssueRecord,
  type JiraSimCustomField,
  type JiraSimProject,
  type SimUser,
} from './jira/state-model';
import type { AttachmentSnapshot, CommentSnapshot, IssueSnapshot } from './jira/snapshots';
import {
  JIRA_PER_ISSUE_WRITE_LIMITS,
  PER_ISSUE_WRITE_REASON,
  PerIssueWriteLimit,
  type SimWriteWindow,
} from './jira/write-limit';

export type {
  IssueSnapshot,
  CommentSnapshot,
  AttachmentSnapshot,
  JiraSimProject,
  JiraSimCustomField,
  FaultSpec,
  SimWriteWindow,
};
export { JIRA_PER_ISSUE_WRITE_LIMITS, PER_ISSUE_WRITE_REASON };

export interface JiraSimulatorOptions {
  /** Listen port on 127.0.0.1 (0: any free port). */
  port?: number;
  /** The API user's email (basic auth user name). */
  email?: string;
  apiToken?: string;
  /** The API user's display name. */
  callerDisplayName?: string;
  /** Default: SUP (service desk, component "Google Cloud") and OPS (software). */
  projects?: JiraSimProject[];
  /** Site priorities, most urgent first. */
  priorities?: string[];
  issueTypes?: string[];
  /** Custom fields of the site (text fields). Default: customfield_10050 "Google Case". */
  customFields?: JiraSimCustomField[];
  now?: () => Date;
  random?: () => number;
  /** Writes younger than this may be missing or stale in /search/jql (never in GET /issue). */
  searchLagMs?: number;
  /** The site's attachment upload limit. Default 10 MiB (Jira Cloud's real default is larger). */
  uploadLimitBytes?: number;
  /**
   * Serve attachment media from a second listener (another origin, like Jira Cloud's media
   * host) that refuses requests carrying an Authorization header.
   */
  separateMediaHost?: boolean;
  onExchange?: (ex: Exchange) => void;
  /**
   * Jira Cloud's per-issue write limit: API writes to one issue (edit, transition, comment,
   * property, attachment) beyond any window answer 429 with Retry-After and
   * `RateLimit-Reason: jira-per-issue-on-write`, counted by the simulator's clock (`now`).
   * Default: the documented 20 per 2 s and 100 per 30 s; false (or []) turns it off.
   */
  perIssueWriteLimits?: readonly SimWriteWindow[] | false;
}

export interface SimStats {
  total: number;
  byRoute: Record<string, number>;
}

export interface PersonIssueInput {
  summary: string;
  /** Plain text, stored as ADF. */
  description?: string;
  labels?: string[];
  priority?: string;
  projectKey?: string;
  createdAt?: Date;
  reporterDisplayName?: string;
  issueType?: string;
  components?: string[];
  /** customfield_NNNNN → value. */
  custom?: Record<string, unknown>;
}

export interface PersonCommentInput {
  /** Plain text (converted to ADF). */
  body?: string;
  /** Raw ADF document (wins over body). */
  adf?: unknown;
  displayName?: string;
  /** JSM: false makes an internal comment. Default true. */
  public?: boolean;
}

export interface PersonAttachmentInput {
  filename: string;
  mimeType?: string;
  content: Buffer;
  displayName?: string;
}

export interface JiraSimulator {
  readonly url: string;
  /** Origin of the media host (equals `url` unless `separateMediaHost`). */
  readonly mediaUrl: string;
  readonly email: string;
  readonly apiToken: string;
  readonly apiUser: { accountId: string; displayName: string; emailAddress: string };
  readonly uploadLimitBytes: number;
  readonly faults: FaultRegistry;
  setDown(down: boolean): void;
  /** Replaces the per-issue write windows (false or []: off). */
  setPerIssueWriteLimits(limits: readonly SimWriteWindow[] | false): void;
  /** API writes refused so far by the per-issue write limit. */
  perIssueWriteRejections(): number;
  stats(): SimStats;
  resetStats(): void;
  createIssue(input: PersonIssueInput): IssueSnapshot;
  addComment(idOrKey: string, input: PersonCommentInput): CommentSnapshot;
  addAttachment(idOrKey: string, input: PersonAttachmentInput): AttachmentSnapshot;
  setPriority(idOrKey: string, name: string): void;
  transition(idOrKey: string, status: string): void;
  deleteIssue(idOrKey: string): void;
  moveIssue(idOrKey: string, projectKey: string): IssueSnapshot;
  setLabels(idOrKey: string, labels: string[]): void;
  /** Sets an issue property (as an app or admin would). */
  setIssueProperty(idOrKey: string, key: string, value: unknown): void;
  getIssue(idOrKey: string): IssueSnapshot | null;
  listIssues(): IssueSnapshot[];
  close(): Promise<void>;
}

const DEFAULT_PROJECTS: JiraSimProject[] = [
  { key: 'SUP', id: '10000', name: 'Support', components: ['Google Cloud'], type: 'service_desk' },
  { key: 'OPS', id: '10001', name: 'Operations', components: [], type: 'software' },
];
const DEFAULT_CUSTOM_FIELDS: JiraSimCustomField[] = [
  { id: 'customfield_10050', name: 'Google Case' },
];
const MAX_JSON_BODY = 5 * 1024 * 1024;
const SEARCH_MAX_RESULTS = 100;
const COMMENTS_MAX_RESULTS = 100;
const GONE_SEARCH =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';
const UNAUTHENTICATED = 'Client must be authenticated to access this resource.';

// --- wire helpers ------------------------------------------------------------------------

/** Jira's timestamp format: 2026-11-30T10:00:00.000+0000. */
export function jiraDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  attachment?: AttachmentRecord;
}

interface Ctx {
  readonly req: http.IncomingMessage;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly base: string;
}

type Handler = (c: Ctx) => Reply | Promise<Reply>;

interface Route {
  readonly method: string;
  readonly template: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
  /** Reads the request body itself (multipart). */
  readonly raw?: boolean;
  /** No basic auth (media URLs carry a token). */
  readonly noAuth?: boolean;
}

function envelope(errorMessages: readonly string[], errors: Record<string, string> = {}): unknown {
  return { errorMessages: [...errorMessages], errors };
}

function fail(status: number, message: string): SimError {
  return new SimError(status, [message]);
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(fail(413, 'Request entity too large'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route?: Route; params: Record<string, string>; methodMismatch: boolean } {
  const parts = path.split('/').slice(1);
  let methodMismatch = false;
  for (const r of routes) {
    if (r.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const seg = r.segments[i] as string;
      const part = parts[i] as string;
      if (seg.startsWith('{')) {
        if (part === '') {
          ok = false;
          break;
        }
        try {
          params[seg.slice(1, -1)] = decodeURIComponent(part);
        } catch {
          ok = false;
          break;
        }
      } else if (seg !== part) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (r.method !== method) {
      methodMismatch = true;
      continue;
    }
    return { route: r, params, methodMismatch: false };
  }
  return { params: {}, methodMismatch };
}

// --- the simulator -----------------------------------------------------------------------

export async function startJiraSimulator(opts: JiraSimulatorOptions = {}): Promise<JiraSimulator> {
  const email = opts.email ?? 'connector@example.com';
  const apiToken = opts.apiToken ?? 'sandbox-token';
  const uploadLimit = opts.uploadLimitBytes ?? 10 * 1024 * 1024;
  const apiUser = apiUserFor(email, opts.callerDisplayName ?? 'Google Sync Connector');
  const state = new JiraState({
    projects: opts.projects ?? DEFAULT_PROJECTS,
    priorities: opts.priorities ?? [...DEFAULT_PRIORITIES],
    issueTypes: opts.issueTypes ?? [...DEFAULT_ISSUE_TYPES],
    customFields: opts.customFields ?? DEFAULT_CUSTOM_FIELDS,
    apiUser,
    now: opts.now ?? (() => new Date()),
    searchLagMs: opts.searchLagMs ?? 0,
  });
  const faults = new FaultRegistry(opts.random ?? Math.random);
  const writeLimit = new PerIssueWriteLimit(
    opts.perIssueWriteLimits === false
      ? []
      : (opts.perIssueWriteLimits ?? JIRA_PER_ISSUE_WRITE_LIMITS),
  );
  const expectedAuth = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
  let down = false;
  let stats: SimStats = { total: 0, byRoute: {} };
  let base = '';
  let mediaBase = '';

  // --- rendering -------------------------------------------------------------------------

  const avatarUrls = (accountId: string): Record<string, string> => {
    const h = createHash('md5').update(accountId).digest('hex');
    return Object.fromEntries(
      ['48x48', '24x24', '16x16', '32x32'].map((s) => [
        s,
        `https://secure.gravatar.com/avatar/${h}?d=mm&s=${s.split('x')[0]}`,
      ]),
    );
  };

  const userJson = (u: SimUser): Record<string, unknown> => ({
    self: `${base}/rest/api/3/user?accountId=${encodeURIComponent(u.accountId)}`,
    accountId: u.accountId,
    ...(u.emailAddress !== undefined ? { emailAddress: u.emailAddress } : {}),
    avatarUrls: avatarUrls(u.accountId),
    displayName: u.displayName,
    active: true,
    timeZone: 'UTC',
    accountType: u.accountType,
  });

  const priorityJson = (name: string): Record<string, unknown> => {
    const idx = state.priorities.indexOf(name);
    const id = String(idx + 1);
    return {
      self: `${base}/rest/api/3/priority/${id}`,
      iconUrl: `${base}/images/icons/priorities/${name.toLowerCase()}.svg`,
      name,
      id,
    };
  };

  const statusJson = (name: string): Record<string, unknown> => {
    const s = state.status(name);
    const cat = STATUS_CATEGORIES[s.categoryKey];
    return {
      self: `${base}/rest/api/3/status/${s.id}`,
      description: '',
      iconUrl: `${base}/`,
      name: s.name,
      id: s.id,
      statusCategory: {
        self: `${base}/rest/api/3/statuscategory/${cat.id}`,
        id: cat.id,
        key: s.categoryKey,
        colorName: cat.colorName,
        name: cat.name,
      },
    };
  };

  const projectJson = (key: string): Record<string, unknown> => {
    const p = state.project(key);
    return {
      self: `${base}/rest/api/3/project/${p?.id ?? ''}`,
      id: p?.id ?? '',
      key,
      name: p?.name ?? key,
      projectTypeKey: p?.type ?? 'service_desk',
      simplified: false,
      avatarUrls: avatarUrls(`project:${key}`),
    };
  };

  const componentJson = (projectKey: string, name: string): Record<string, unknown> => {
    const p = state.project(projectKey);
    const id = `${p?.id ?? '0'}${(p?.components.indexOf(name) ?? 0) + 1}`;
    return { self: `${base}/rest/api/3/component/${id}`, id, name };
  };

  const issueTypeJson = (name: string): Record<string, unknown> => {
    const id = String(10000 + state.issueTypes.indexOf(name) + 1);
    return {
      self: `${base}/rest/api/3/issuetype/${id}`,
      id,
      description: '',
      iconUrl: `${base}/images/icons/issuetypes/${id}.svg`,
      name,
      subtask: false,
      hierarchyLevel: 0,
    };
  };

  const attachmentJson = (a: AttachmentRecord): Record<string, unknown> => ({
    self: `${base}/rest/api/3/attachment/${a.id}`,
    id: a.id,
    filename: a.filename,
    author: userJson(state.user(a.authorId)),
    created: jiraDate(a.created),
    size: a.size,
    mimeType: a.mimeType,
    content: `${base}/rest/api/3/attachment/content/${a.id}`,
  });

  const commentJson = (c: CommentRecord, withProperties: boolean): Record<string, unknown> => {
    const author = userJson(state.user(c.authorId));
    return {
      self: `${base}/rest/api/3/issue/${c.issueId}/comment/${c.id}`,
      id: c.id,
      author,
      body: c.body,
      updateAuthor: author,
      created: jiraDate(c.created),
      updated: jiraDate(c.updated),
      ...(c.jsdPublic !== undefined
        ? { jsdPublic: c.jsdPublic, jsdAuthorCanSeeRequest: true }
        : {}),
      ...(withProperties
        ? { properties: [...c.properties].map(([key, value]) => ({ key, value })) }
        : {}),
    };
  };

  type FieldSelector = (name: string) => boolean;

  const fieldSelector = (
    requested: readonly string[] | undefined,
    dflt: 'all' | 'id',
  ): FieldSelector => {
    const list = (requested ?? [])
      .flatMap((f) => f.split(','))
      .map((f) => f.trim())
      .filter((f) => f !== '');
    if (list.length === 0) return dflt === 'all' ? () => true : () => false;
    let all = false;
    const include = new Set<string>();
    const exclude = new Set<string>();
    for (const f of list) {
      if (f === '*all' || f === '*navigable') all = true;
      else if (f.startsWith('-')) exclude.add(f.slice(1));
      else include.add(f);
    }
    return (name) => !exclude.has(name) && (all || include.has(name));
  };

  const propertySelector = (
    requested: readonly string[] | undefined,
  ): ((key: string) => boolean) | null => {
    const list = (requested ?? [])
      .flatMap((f) => f.split(','))
      .map((f) => f.trim())
      .filter((f) => f !== '');
    if (list.length === 0) return null;
    if (list.includes('*all')) return () => true;
    return (k) => list.includes(k);
  };

  const issueJson = (
    issue: IssueRecord,
    f: IssueFields,
    selectField: FieldSelector,
    selectProperty: ((key: string) => boolean) | null,
  ): Record<string, unknown> => {
    const all: Record<string, () => unknown> = {
      summary: () => f.summary,
      description: () => f.description,
      priority: () => priorityJson(f.priority),
      status: () => statusJson(f.status),
      labels: () => [...f.labels],
      components: () => f.components.map((c) => componentJson(f.projectKey, c)),
      project: () => projectJson(f.projectKey),
      issuetype: () => issueTypeJson(f.issueType),
      created: () => jiraDate(f.created),
      updated: () => jiraDate(f.updated),
      resolution: () =>
        f.resolutionDate === null
          ? null
          : {
              self: `${base}/rest/api/3/resolution/10000`,
              id: '10000',
              description: '',
              name: 'Done',
            },
      resolutiondate: () => (f.resolutionDate === null ? null : jiraDate(f.resolutionDate)),
      reporter: () => userJson(state.user(f.reporterId)),
      creator: () => userJson(state.user(f.reporterId)),
      assignee: () => null,
      attachment: () =>
        f.attachmentIds
          .map((id) => state.attachment(id))
          .filter((a): a is AttachmentRecord => a !== undefined)
          .map(attachmentJson),
      comment: () => ({
        comments: issue.comments.map((c) => commentJson(c, false)),
        self: `${base}/rest/api/3/issue/${issue.id}/comment`,
        maxResults: issue.comments.length,
        total: issue.comments.length,
        startAt: 0,
      }),
    };
    for (const cf of state.customFields) all[cf.id] = () => f.custom[cf.id] ?? null;
    const fields: Record<string, unknown> = {};
    for (const [name, get] of Object.entries(all)) if (selectField(name)) fields[name] = get();
    const out: Record<string, unknown> = {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: `${base}/rest/api/3/issue/${issue.id}`,
      key: f.key,
      fields,
    };
    if (selectProperty !== null) {
      out['properties'] = Object.fromEntries(
        [...issue.properties].filter(([k]) => selectProperty(k)),
      );
    }
    return out;
  };

  // --- field edits (create and edit) ---------------------------------------------------

  const LABEL_RE = /\s/;

  const checkLabels = (value: unknown, errors: Record<string, string>): string[] | undefined => {
    if (!Array.isArray(value) || value.some((l) => typeof l !== 'string')) {
      errors['labels'] = 'Operation value must be a string';
      return undefined;
    }
    for (const l of value as string[]) {
      if (l === '' || LABEL_RE.test(l)) {
        errors['labels'] = `The label '${l}' contains spaces which is invalid.`;
        return undefined;
      }
      if (l.length > 255) {
        errors['labels'] =
          `The label '${l}' exceeds the maximum length for a single label of 255 characters.`;
        return undefined;
      }
    }
    return value as string[];
  };

  const checkComponents = (
    projectKey: string,
    value: unknown,
    errors: Record<string, string>,
  ): string[] | undefined => {
    const project = state.project(projectKey);
    if (!Array.isArray(value)) {
      errors['components'] = 'Operation value must be an array';
      return undefined;
    }
    const names: string[] = [];
    for (const c of value) {
      const rec = asRecord(c);
      const name = typeof rec?.['name'] === 'string' ? rec['name'] : undefined;
      const id = typeof rec?.['id'] === 'string' ? rec['id'] : undefined;
      const found = project?.components.find(
        (n) => n === name || componentJson(projectKey, n)['id'] === id,
      );
      if (found === undefined) {
        errors['components'] =
          name !== undefined
            ? `Component name '${name}' is not valid`
            : `Component with id '${id ?? ''}' does not exist.`;
        return undefined;
      }
      names.push(found);
    }
    return dedupe(names);
  };

  const checkSummary = (value: unknown, errors: Record<string, string>): string | undefined => {
    if (typeof value !== 'string' || value.trim() === '') {
      errors['summary'] = 'You must specify a summary of the issue.';
      return undefined;
    }
    if (/[\r\n]/.test(value)) {
      errors['summary'] = 'The summary is invalid because it contains newline characters.';
      return undefined;
    }
    if (value.length > 255) {
      errors['summary'] = 'Summary must be less than 255 characters.';
      return undefined;
    }
    return value;
  };

  const checkPriority = (value: unknown, errors: Record<string, string>): string | undefined => {
    const rec = asRecord(value);
    const name = typeof rec?.['name'] === 'string' ? rec['name'] : undefined;
    const id = typeof rec?.['id'] === 'string' ? rec['id'] : undefined;
    if (name === undefined && id === undefined) {
      errors['priority'] = 'Specify the Priority (id or name) in the string format';
      return undefined;
    }
    const found =
      name !== undefined
        ? state.priorities.find((p) => p === name)
        : state.priorities[Number(id) - 1];
    if (found === undefined) {
      errors['priority'] =
        name !== undefined
          ? `Priority name '${name}' is not valid`
          : `Priority with id '${id ?? ''}' does not exist`;
      return undefined;
    }
    return found;
  };

  const checkDescription = (
    value: unknown,
    errors: Record<string, string>,
  ): { doc: IssueFields['description'] } | undefined => {
    if (value === null) return { doc: null };
    const problem = adfProblem(value);
    if (problem !== null) {
      errors['description'] = problem;
      return undefined;
    }
    return { doc: value as IssueFields['description'] };
  };

  const checkCustom = (id: string, value: unknown, errors: Record<string, string>): unknown => {
    if (value !== null && typeof value !== 'string') {
      errors[id] = 'Operation value must be a string';
      return undefined;
    }
    if (typeof value === 'string' && value.length > 255) {
      errors[id] =
        'The entered text is too long. Please shorten the text to less than 255 characters.';
      return undefined;
    }
    return value;
  };

  const checkProperties = (
    value: unknown,
    errors: Record<string, string>,
  ): { key: string; value: unknown }[] | undefined => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      errors['properties'] = 'Properties must be an array.';
      return undefined;
    }
    const out: { key: string; value: unknown }[] = [];
    for (const p of value) {
      const rec = asRecord(p);
      const key = rec?.['key'];
      if (typeof key !== 'string' || key === '' || key.length > 255) {
        errors['properties'] = 'The property key must be between 1 and 255 characters long.';
        return undefined;
      }
      if (JSON.stringify(rec?.['value'] ?? null).length > 32_768) {
        errors['properties'] = 'The property value must be at most 32768 bytes long.';
        return undefined;
      }
      out.push({ key, value: rec?.['value'] ?? null });
    }
    return out;
  };

  const cannotSet = (name: string): string =>
    `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;

  /** Applies `fields` and `update` to `current` (create: current has the defaults). */
  const applyEdits = (
    projectKey: string,
    current: IssueFields | null,
    fields: Record<string, unknown>,
    update: Record<string, unknown>,
    errors: Record<string, string>,
  ): Partial<IssueFields> => {
    const change: { -readonly [K in keyof IssueFields]?: IssueFields[K] } = {};
    const custom: Record<string, unknown> = { ...(current?.custom ?? {}) };
    let customChanged = false;
    for (const name of Object.keys(update)) {
      if (name in fields)
        errors[name] =
          `Field '${name}' cannot be set in both the 'fields' and the 'update' sections.`;
    }
    for (const [name, value] of Object.entries(fields)) {
      switch (name) {
        case 'project':
        case 'issuetype':
          if (current !== null) errors[name] = cannotSet(name);
          break;
        case 'summary': {
          const s = checkSummary(value, errors);
          if (s !== undefined) change.summary = s;
          break;
        }
        case 'description': {
          const d = checkDescription(value, errors);
          if (d !== undefined) change.description = d.doc;
          break;
        }
        case 'priority': {
          const p = checkPriority(value, errors);
          if (p !== undefined) change.priority = p;
          break;
        }
        case 'labels': {
          const l = checkLabels(value, errors);
          if (l !== undefined) change.labels = dedupe(l);
          break;
        }
        case 'components': {
          const c = checkComponents(projectKey, value, errors);
          if (c !== undefined) change.components = c;
          break;
        }
        default: {
          if (state.customFields.some((cf) => cf.id === name)) {
            const v = checkCustom(name, value, errors);
            if (errors[name] === undefined) {
              custom[name] = v;
              customChanged = true;
            }
          } else {
            errors[name] = cannotSet(name);
          }
        }
      }
    }
    for (const [name, rawOps] of Object.entries(update)) {
      if (!Array.isArray(rawOps)) {
        errors[name] = 'Operations must be an array.';
        continue;
      }
      for (const rawOp of rawOps) {
        const op = asRecord(rawOp) ?? {};
        const verbs = Object.keys(op);
        if (verbs.length !== 1) {
          errors[name] = 'Each operation must have exactly one verb.';
          continue;
        }
        const verb = verbs[0] as string;
        const arg = op[verb];
        if (name === 'labels' || name === 'components') {
          const listNow: string[] = [
            ...((change[name] as readonly string[] | undefined) ??
              (current !== null ? current[name] : [])),
          ];
          if (verb === 'set') {
            const v =
              name === 'labels'
                ? checkLabels(arg, errors)
                : checkComponents(projectKey, arg, errors);
            if (v !== undefined) change[name] = dedupe(v);
          } else if (verb === 'add' || verb === 'remove') {
            const v =
              name === 'labels'
                ? checkLabels([arg], errors)
                : checkComponents(projectKey, [arg], errors);
            if (v === undefined) continue;
            const item = v[0] as string;
            change[name] =
              verb === 'add' ? dedupe([...listNow, item]) : listNow.filter((x) => x !== item);
          } else {
            errors[name] = `Operation '${verb}' is not supported for field '${name}'.`;
          }
          continue;
        }
        if (verb !== 'set') {
          errors[name] = `Operation '${verb}' is not supported for field '${name}'.`;
          continue;
        }
        Object.assign(change, applyEdits(projectKey, current, { [name]: arg }, {}, errors));
        if (state.customFields.some((cf) => cf.id === name) && errors[name] === undefined) {
          custom[name] = arg;
          customChanged = true;
        }
      }
    }
    if (customChanged) change.custom = custom;
    return change;
  };

  // --- API handlers --------------------------------------------------------------------

  const requireObject = (body: unknown): Record<string, unknown> => {
    const rec = asRecord(body);
    if (!rec) throw fail(400, 'Request body must be a JSON object.');
    return rec;
  };

  const rejectUnknown = (
    rec: Record<string, unknown>,
    allowed: readonly string[],
    bean: string,
  ): void => {
    for (const k of Object.keys(rec)) {
      if (!allowed.includes(k)) {
        throw fail(400, `Unrecognized field "${k}" (class ${bean}), not marked as ignorable`);
      }
    }
  };

  const stringList = (v: unknown, name: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw fail(400, `'${name}' must be an array of strings.`);
    return v as string[];
  };

  const pageTokenFor = (jql: string, offset: number): string =>
    Buffer.from(
      JSON.stringify({ o: offset, h: createHash('sha1').update(jql).digest('hex').slice(0, 12) }),
    ).toString('base64url');

  const offsetFromToken = (jql: string, token: string): number => {
    try {
      const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        o?: unknown;
        h?: unknown;
      };
      if (
        typeof t.o === 'number' &&
        Number.isInteger(t.o) &&
        t.o >= 0 &&
        t.h === createHash('sha1').update(jql).digest('hex').slice(0, 12)
      ) {
        return t.o;
      }
    } catch {
      // fall through
    }
    throw fail(400, 'The provided next page token is invalid or expired.');
  };

  const searchJql: Handler = ({ body }) => {
    const rec = requireObject(body);
    rejectUnknown(
      rec,
      [
        'expand',
        'fields',
        'fieldsByKeys',
        'jql',
        'maxResults',
        'nextPageToken',
        'properties',
        'reconcileIssues',
      ],
      'com.atlassian.jira.rest.v2.search.SearchAndReconcileRequestBean',
    );
    const jql = rec['jql'];
    if (jql !== undefined && typeof jql !== 'string') throw fail(400, "'jql' must be a string.");
    const fields = stringList(rec['fields'], 'fields');
    const properties = stringList(rec['properties'], 'properties');
    const maxRaw = rec['maxResults'];
    if (
      maxRaw !== undefined &&
      (typeof maxRaw !== 'number' || !Number.isInteger(maxRaw) || maxRaw < 0)
    ) {
      throw fail(400, "'maxResults' must be a non-negative integer.");
    }
    const token = rec['nextPageToken'];
    if (token !== undefined && token !== null && typeof token !== 'string')
      throw fail(400, "'nextPageToken' must be a string.");
    const reconcile = rec['reconcileIssues'];
    if (
      reconcile !== undefined &&
      (!Array.isArray(reconcile) || reconcile.some((x) => !Number.isInteger(x)))
    ) {
      throw fail(400, "'reconcileIssues' must be an array of issue ids.");
    }
    const reconcileIds = new Set(((reconcile as number[] | undefined) ?? []).map(String));
    const query = jql ?? '';
    let compiled;
    try {
      compiled = compileJql(query, state.jqlSite());
    } catch (e) {
      if (e instanceof JqlError) throw new SimError(400, [e.message]);
      throw e;
    }
    if (!compiled.bounded) {
      throw fail(
        400,
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
      );
    }
    const max = Math.min(maxRaw === undefined ? 50 : (maxRaw as number), SEARCH_MAX_RESULTS);
    const offset = typeof token === 'string' && token !== '' ? offsetFromToken(query, token) : 0;
    const hits = state
      .all()
      .map((issue) => ({
        issue,
        f: reconcileIds.has(issue.id) ? issue.fields : state.indexedFields(issue),
      }))
      .filter((x): x is { issue: IssueRecord; f: IssueFields } => x.f !== undefined)
      .map((x) => ({ ...x, view: state.jqlView(x.issue, x.f) }))
      .filter((x) => compiled.matches(x.view))
      .sort((a, b) => compiled.compare(a.view, b.view));
    const page = hits.slice(offset, offset + max);
    const selectField = fieldSelector(fields, 'id');
    const selectProperty = propertySelector(properties);
    const more = offset + page.length < hits.length && page.length > 0;
    return {
      status: 200,
      json: {
        issues: page.map((x) => issueJson(x.issue, x.f, selectField, selectProperty)),
        ...(more ? { nextPageToken: pageTokenFor(query, offset + page.length) } : {}),
        isLast: !more,
      },
    };
  };

  /** GET variant of the enhanced search: the same parameters in the query string. */
  const searchJqlGet: Handler = (c) => {
    const body: Record<string, unknown> = {};
    const q = c.query;
    const list = (name: string): string[] =>
      q
        .getAll(name)
        .flatMap((v) => v.split(','))
        .filter((v) => v !== '');
    if (q.has('jql')) body['jql'] = q.get('jql');
    if (q.has('nextPageToken')) body['nextPageToken'] = q.get('nextPageToken');
    if (q.has('maxResults')) body['maxResults'] = Number(q.get('maxResults'));
    if (q.has('fields')) body['fields'] = list('fields');
    if (q.has('properties')) body['properties'] = list('properties');
    if (q.has('reconcileIssues')) body['reconcileIssues'] = list('reconcileIssues').map(Number);
    return searchJql({ ...c, body });
  };

  const getIssue: Handler = ({ params, query }) => {
    const issue = state.get(params['issueIdOrKey'] ?? '');
    return {
      status: 200,
      json: issueJson(
        issue,
        issue.fields,
        fieldSelector(query.getAll('fields'), 'all'),
        propertySelector(query.getAll('properties')),
      ),
    };
  };

  const createIssue: Handler = ({ body }) => {
    const rec = requireObject(body);
    const fields = asRecord(rec['fields']) ?? {};
    const update = asRecord(rec['update']) ?? {};
    const errors: Record<string, string> = {};
    const projRec = asRecord(fields['project']);
    const projectRef =
      typeof projRec?.['key'] === 'string'
        ? projRec['key']
        : typeof projRec?.['id'] === 'string'
          ? projRec['id']
          : undefined;
    const project = projectRef === undefined ? undefined : state.project(projectRef);
    if (project === undefined) errors['project'] = 'Specify a valid project ID or key';
    const typeRec = asRecord(fields['issuetype']);
    const typeName =
      typeof typeRec?.['name'] === 'string'
        ? state.issueTypes.find((t) => t === typeRec['name'])
        : typeof typeRec?.['id'] === 'string'
          ? state.issueTypes[Number(typeRec['id']) - 10001]
          : undefined;
    if (typeRec === undefined) errors['issuetype'] = 'Specify an issue type';
    else if (typeName === undefined) errors['issuetype'] = 'The issue type selected is invalid.';
    if (fields['summary'] === undefined && update['summary'] === undefined) {
      errors['summary'] = 'You must specify a summary of the issue.';
    }
    const props = checkProperties(rec['properties'], errors);
    const { project: _project, issuetype: _issuetype, ...rest } = fields;
    const change = applyEdits(project?.key ?? '', null, rest, update, errors);
    if (
      Object.keys(errors).length > 0 ||
      project === undefined ||
      typeName === undefined ||
      props === undefined
    ) {
      throw new SimError(400, [], errors);
    }
    const issue = state.createIssue({
      projectKey: project.key,
      summary: change.summary ?? '',
      description: change.description ?? null,
      priority: change.priority,
      labels: change.labels,
      components: change.components,
      issueType: typeName,
      custom: change.custom as Record<string, unknown> | undefined,
      properties: props,
      reporterId: apiUser.accountId,
    });
    return {
      status: 201,
      json: { id: issue.id, key: issue.fields.key, self: `${base}/rest/api/3/issue/${issue.id}` },
    };
  };

  const editIssue: Handler = ({ params, body }) => {
    const issue = state.get(params['issueIdOrKey'] ?? '');
    const rec = requireObject(body);
    const errors: Record<string, string> = {};
    const fields = rec['fields'] === undefined ? {} : asRecord(rec['fields']);
    const update = rec['update'] === undefined ? {} : asRecord(rec['update']);
    if (fields === undefined || update === undefined)
      throw fail(400, "'fields' and 'update' must be objects.");
    const props = checkProperties(rec['properties'], errors);
    const change = applyEdits(issue.fields.projectKey, issue.fields, fields, update, errors);
    if (Object.keys(errors).length > 0 || props === undefined) throw new SimError(400, [], errors);
    for (const p of props) issue.properties.set(p.key, p.value);
    if (Object.keys(change).length > 0) state.write(issue, change);
    return { status: 204 };
  };

  const availableTransitions = (issue: IssueRecord): typeof SIM_TRANSITIONS =>
    SIM_TRANSITIONS.filter((t) => t.to !== issue.fields.status);

  const transitionJson = (t: (typeof SIM_TRANSITIONS)[number]): Record<string, unknown> => ({
    id: t.id,
    name: t.name,
    to: statusJson(t.to),
    hasScreen: false,
    isGlobal: true,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    looped: false,
  });

  const getTransitions: Handler = ({ params }) => {
    const issue = state.get(params['issueIdOrKey'] ?? '');
    return {
      status: 200,
      json: { expand: 'transitions', transitions: availableTransitions(issue).map(transitionJson) },
    };
  };

  const doTransition: Handler = ({ params, body }) => {
    const issue = state.get(params['issueIdOrKey'] ?? '');
    const rec = requireObject(body);
    const t = asRecord(rec['transition']);
    const id =
      typeof t?.['id'] === 'string'
        ? t['id']
        : typeof t?.['id'] === 'number'
          ? String(t['id'])
          : undefined;
    if (id === undefined) throw fail(400, "Missing 'transition' identifier");
    const found = availableTransitions(issue).find((x) => x.id === id);
    if (!found) throw fail(400, `Transition id '${id}' is not valid for this issue.`);
    const errors: Record<string, string> = {};
    const change = applyEdits(
      issue.fields.projectKey,
      issue.fields,
      asRecord(rec['fields']) ?? {},
      asRecord(rec['update']) ?? {},
      errors,
    );
    if (Object.keys(errors).length > 0) throw new SimError(400, [], errors);
    if (Object.keys(change).length > 0) state.write(issue, change);
    state.transition(issue, found.to);
    return { status: 204 };
  };

  const getComments: Handler = ({ params, query }) => {
    const issue = state.get(params['issueIdOrKey'] ?? '');
    const startAt = Number(query.get('startAt') ?? '0');
    const maxResults = Number(query.get('maxResults') ?? String(COMMENTS_MAX_RESULTS));
    if (
      !Number.isInteger(startAt) ||
      startAt < 0 ||
      !Number.isInteger(maxResults) ||
      maxResults < 0
    ) {
      throw fail(400, 'startAt and maxResults must be non-negative integers.');
    }
    const orderBy = query.get('orderBy');
    if (orderBy !== null && !['created', '+created', '-created'].includes(orderBy)) {
      throw fail(
        400,
        `Ordering by '${orderBy}' is not supported. Supported values: created, -created, +created.`,
      );
    }
    const expand = (query.get('expand') ?? '').split(',').map((s) => s.trim());
    const sorted = [...issue.comments].sort(
      (a, b) => a.created - b.created || Number(a.id) - Number(b.id),
    );
    if (orderBy === '-created') sorted.reverse();
    const max = Math.min(maxResults, COMMENTS_MAX_RESULTS);
    const page = sorted.slice(startAt, startAt + max);
    return {
      status: 200,
      json: {
        startAt,
        maxResults: max,
        total: sorted.length,
        comments: page.map((c) => commentJson(c, expand.includes('properties'))),
      },
    };
  };

  const addCommentApi: Handler = ({ params, body, query }) => {
    const issue = state.get(params['issueIdOrKey'] ?? '');
    const rec = requireObject(body);
    const errors: Record<string, string> = {};
    const adf = rec['body'];
    if (adf === undefined || adf === null)
      throw new SimError(400, [], { comment: 'Comment body can not be empty!' });
    const problem = adfProblem(adf);
    if (problem !== null) throw new SimError(400, [], { comment: problem });
    const text = simAdfToText(adf);
    if (text.trim() === '' && (adf as { content: unknown[] }).content.length === 0) {
      throw new SimError(400, [], { comment: 'Comment body can not be empty!' });
    }
    if (text.length > COMMENT_MAX_CHARS) {
      throw new SimError(400, [], {
        comment: 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.',
      });
    }
    if (rec['visibility'] !== undefined && rec['visibility'] !== null) {
      const v = asRecord(rec['visibility']);
      if (!v || (v['type'] !== 'group' && v['type'] !== 'role')) {
        throw new SimError(400, [], {
          commentLevel: 'You are currently not a member of the project role or group.',
        });
      }
    }
    const props = checkProperties(rec['properties'], errors);
    if (props === undefined) throw new SimError(400, [], errors);
    const sd = props.find((p) => p.key === 'sd.public.comment');
    const internal = asRecord(sd?.value)?.['internal'] === true;
    const c = state.addComment(issue, {
      authorId: apiUser.accountId,
      body: adf,
      internal,
      properties: props,
    });
    const expand = (query.get('expand') ?? '').split(',');
    return { status: 201, json: commentJson(c, expand.includes('properties')) };
  };

  const entityPropertyGet =
    (which: 'issue' | 'comment'): Handler =>
    ({ params }) => {
      const map =
        which === 'issue'
          ? state.get(params['issueIdOrKey'] ?? '').properties
          : commentOrFail(params['commentId'] ?? '').properties;
      const key = params['propertyKey'] ?? '';
      if (!map.has(key)) throw fail(404, `The property with key '${key}' does not exist.`);
      return { status: 200, json: { key, value: map.get(key) } };
    };

  const entityPropertyPut =
    (which: 'issue' | 'comment'): Handler =>
    ({ params, body }) => {
      const key = params['propertyKey'] ?? '';
      if (key === '' || key.length > 255)
        throw fail(400, 'The property key must be between 1 and 255 characters long.');
      if (JSON.stringify(body).length > 32_768)
        throw fail(400, 'The property value must be at most 32768 bytes long.');
      const map =
        which === 'issue'
          ? state.get(params['issueIdOrKey'] ?? '').properties
          : commentOrFail(params['commentId'] ?? '').properties;
      const existed = map.has(key);
      map.set(key, body);
      return { status: existed ? 200 : 201 };
    };

  const commentOrFail = (id: string): CommentRecord => {
    const c = state.comment(id);
    if (!c) throw fail(404, `Can not find a comment for the id: ${id}.`);
    return c;
  };

  const uploadAttachments: Handler = async ({ req, params }) => {
    if ((req.headers['x-atlassian-token'] ?? '').toString().toLowerCase() !== 'no-check') {
      return {
        status: 403,
        text: 'XSRF check failed',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
      };
    }
    const issue = state.get(params['issueIdOrKey'] ?? '');
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(contentType)) {
      return {
        status: 415,
        json: envelope(['The request content type must be multipart/form-data.']),
      };
    }
    const files: {
      filename: string;
      mimeType: string;
      chunks: Buffer[];
      size: number;
      tooLarge: boolean;
    }[] = [];
    await new Promise<void>((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        bb = busboy({
          headers: req.headers,
          defParamCharset: 'utf8',
          limits: { fileSize: uploadLimit + 1 },
        });
      } catch {
        reject(fail(400, 'Malformed multipart request.'));
        return;
      }
      bb.on('file', (field, stream, info) => {
        if (field !== 'file') {
          stream.resume();
          return;
        }
        const entry = {
          filename: info.filename ?? 'file',
          mimeType: info.mimeType || 'application/octet-stream',
          chunks: [] as Buffer[],
          size: 0,
          tooLarge: false,
        };
        files.push(entry);
        stream.on('data', (chunk: Buffer) => {
          if (entry.tooLarge) return;
          entry.chunks.push(chunk);
          entry.size += chunk.length;
          if (entry.size > uploadLimit) {
            entry.tooLarge = true;
            entry.chunks = [];
          }
        });
        stream.on('limit', () => {
          // Over the site's limit: keep reading (and discarding) to answer cleanly.
          entry.tooLarge = true;
          entry.chunks = [];
        });
      });
      bb.on('close', () => resolve());
      bb.on('error', () => reject(fail(400, 'Malformed multipart request.')));
      req.on('error', reject);
      req.pipe(bb);
    });
    if (files.length === 0) throw fail(400, 'No attachments were provided in the request.');
    if (files.some((f) => f.tooLarge)) {
      return {
        status: 413,
        json: envelope([`The file(s) exceed the maximum upload size of ${uploadLimit} bytes.`]),
      };
    }
    const created = files.map((f) =>
      state.addAttachment(issue, {
        filename: f.filename,
        mimeType: f.mimeType,
        chunks: f.chunks,
        size: f.size,
        authorId: apiUser.accountId,
      }),
    );
    return { status: 200, json: created.map(attachmentJson) };
  };

  const attachmentOrFail = (id: string): AttachmentRecord => {
    const a = state.attachment(id);
    if (!a || state.find(a.issueId) === undefined)
      throw fail(404, `The attachment with id '${id}' does not exist`);
    return a;
  };

  const attachmentMetadata: Handler = ({ params }) => {
    const a = attachmentOrFail(params['id'] ?? '');
    return {
      status: 200,
      json: {
        self: `${base}/rest/api/3/attachment/${a.id}`,
        id: Number(a.id),
        filename: a.filename,
        author: userJson(state.user(a.authorId)),
        created: jiraDate(a.created),
        size: a.size,
        mimeType: a.mimeType,
        properties: {},
        content: `${base}/rest/api/3/attachment/content/${a.id}`,
      },
    };
  };

  const attachmentContent: Handler = ({ params, query }) => {
    const a = attachmentOrFail(params['id'] ?? '');
    if (query.get('redirect') === 'false') return { status: 200, attachment: a };
    const token = state.mediaToken(a.id);
    return {
      status: 303,
      headers: { location: `${mediaBase}/_media/file/${a.id}?token=${token}&client=jira-sim` },
    };
  };

  const mediaFile: Handler = ({ params, query }) => {
    const id = params['id'] ?? '';
    const a = state.attachment(id);
    if (!a || !state.redeemMediaToken(query.get('token') ?? '', id)) {
      return {
        status: 401,
        json: {
          error: { code: 'Unauthorized', title: 'The token is missing, invalid or expired.' },
        },
      };
    }
    return { status: 200, attachment: a };
  };

  const myself: Handler = () => ({
    status: 200,
    json: { ...userJson(apiUser), locale: 'en_US', expand: 'groups,applicationRoles' },
  });

  const prioritiesList = (): Record<string, unknown>[] =>
    state.priorities.map((name, i) => ({
      ...priorityJson(name),
      statusColor: ['#d04437', '#f15C75', '#f79232', '#707070', '#999999'][i] ?? '#999999',
      description: name,
      isDefault: name === 'Medium',
    }));

  const fieldList: Handler = () => {
    const system = [
      ['summary', 'Summary', 'string'],
      ['description', 'Description', 'string'],
      ['priority', 'Priority', 'priority'],
      ['status', 'Status', 'status'],
      ['labels', 'Labels', 'array'],
      ['components', 'Components', 'array'],
      ['project', 'Project', 'project'],
      ['issuetype', 'Issue Type', 'issuetype'],
      ['created', 'Created', 'datetime'],
      ['updated', 'Updated', 'datetime'],
      ['attachment', 'Attachment', 'array'],
      ['comment', 'Comment', 'comments-page'],
    ] as const;
    return {
      status: 200,
      json: [
        ...system.map(([id, name, type]) => ({
          id,
          key: id,
          name,
          custom: false,
          orderable: true,
          navigable: true,
          searchable: true,
          clauseNames: [id],
          schema: { type, system: id },
        })),
        ...state.customFields.map((cf) => {
          const num = Number(cf.id.replace('customfield_', ''));
          return {
            id: cf.id,
            key: cf.id,
            name: cf.name,
            custom: true,
            orderable: true,
            navigable: true,
            searchable: true,
            clauseNames: [`cf[${num}]`, cf.name],
            schema: {
              type: 'string',
              custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield',
              customId: num,
            },
          };
        }),
      ],
    };
  };

  const jsmComment: Handler = ({ params, body }) => {
    const issue = state.find(params['issueIdOrKey'] ?? '');
    if (!issue || state.project(issue.fields.projectKey)?.type !== 'service_desk') {
      return {
        status: 404,
        json: {
          errorMessage: 'The request could not be found.',
          i18nErrorMessage: { i18nKey: 'sd.request.not.found', parameters: [] },
        },
      };
    }
    const rec = asRecord(body);
    const text = rec?.['body'];
    const extra = Object.keys(rec ?? {}).filter((k) => k !== 'body' && k !== 'public');
    if (rec === undefined || typeof text !== 'string' || text.trim() === '' || extra.length > 0) {
      return {
        status: 400,
        json: {
          errorMessage: 'The comment body can not be empty.',
          i18nErrorMessage: { i18nKey: 'sd.comment.body.empty', parameters: [] },
        },
      };
    }
    const isPublic = rec['public'] !== false;
    const c = state.addComment(issue, {
      authorId: apiUser.accountId,
      body: simTextToAdf(text),
      internal: !isPublic,
      properties: [{ key: 'sd.public.comment', value: { internal: !isPublic } }],
    });
    return {
      status: 201,
      json: {
        _expands: ['attachment', 'renderedBody'],
        id: c.id,
        body: text,
        public: isPublic,
        author: {
          accountId: apiUser.accountId,
          emailAddress: apiUser.emailAddress,
          displayName: apiUser.displayName,
          active: true,
          timeZone: 'UTC',
          _links: {
            jiraRest: `${base}/rest/api/2/user?accountId=${encodeURIComponent(apiUser.accountId)}`,
            avatarUrls: avatarUrls(apiUser.accountId),
            self: `${base}/rest/api/2/user?accountId=${encodeURIComponent(apiUser.accountId)}`,
          },
        },
        created: {
          iso8601: jiraDate(c.created),
          jira: jiraDate(c.created),
          friendly: 'Today',
          epochMillis: c.created,
        },
        _links: { self: `${base}/rest/servicedeskapi/request/${issue.id}/comment/${c.id}` },
      },
    };
  };

  const gone: Handler = () => ({ status: 410, json: envelope([GONE_SEARCH]) });

  const routeList: [string, string, Handler, Partial<Pick<Route, 'raw' | 'noAuth'>>?][] = [
    ['POST', '/rest/api/3/search/jql', searchJql],
    ['GET', '/rest/api/3/search/jql', searchJqlGet],
    ['GET', '/rest/api/3/search', gone],
    ['POST', '/rest/api/3/search', gone],
    ['POST', '/rest/api/3/issue', createIssue],
    ['GET', '/rest/api/3/issue/{issueIdOrKey}', getIssue],
    ['PUT', '/rest/api/3/issue/{issueIdOrKey}', editIssue],
    ['GET', '/rest/api/3/issue/{issueIdOrKey}/transitions', getTransitions],
    ['POST', '/rest/api/3/issue/{issueIdOrKey}/transitions', doTransition],
    ['GET', '/rest/api/3/issue/{issueIdOrKey}/comment', getComments],
    ['POST', '/rest/api/3/issue/{issueIdOrKey}/comment', addCommentApi],
    [
      'GET',
      '/rest/api/3/comment/{commentId}/properties/{propertyKey}',
      entityPropertyGet('comment'),
    ],
    [
      'PUT',
      '/rest/api/3/comment/{commentId}/properties/{propertyKey}',
      entityPropertyPut('comment'),
    ],
    [
      'GET',
      '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
      entityPropertyGet('issue'),
    ],
    [
      'PUT',
      '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
      entityPropertyPut('issue'),
    ],
    ['POST', '/rest/api/3/issue/{issueIdOrKey}/attachments', uploadAttachments, { raw: true }],
    [
      'GET',
      '/rest/api/3/attachment/meta',
      () => ({ status: 200, json: { enabled: true, uploadLimit } }),
    ],
    ['GET', '/rest/api/3/attachment/content/{id}', attachmentContent],
    ['GET', '/rest/api/3/attachment/{id}', attachmentMetadata],
    ['GET', '/rest/api/3/myself', myself],
    ['GET', '/rest/api/3/priority', () => ({ status: 200, json: prioritiesList() })],
    [
      'GET',
      '/rest/api/3/priority/search',
      () => {
        const values = prioritiesList();
        return {
          status: 200,
          json: {
            self: `${base}/rest/api/3/priority/search`,
            maxResults: 50,
            startAt: 0,
            total: values.length,
            isLast: true,
            values,
          },
        };
      },
    ],
    ['GET', '/rest/api/3/field', fieldList],
    ['POST', '/rest/servicedeskapi/request/{issueIdOrKey}/comment', jsmComment],
    ['GET', '/_media/file/{id}', mediaFile, { noAuth: true }],
  ];
  const routes: Route[] = routeList.map(([method, template, handler, extra]) => ({
    method,
    template,
    segments: template.split('/').slice(1),
    handler,
    ...(extra ?? {}),
  }));

  // --- request pipeline ----------------------------------------------------------------

  const sendReply = (
    res: http.ServerResponse,
    reply: Reply,
    record: Omit<Exchange, 'status' | 'responseHeaders' | 'responseJson'> | null,
  ): void => {
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    let payload: Buffer | undefined;
    if (reply.json !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.json));
      headers['content-type'] ??= 'application/json;charset=UTF-8';
    } else if (reply.text !== undefined) {
      payload = Buffer.from(reply.text);
      headers['content-type'] ??= 'text/plain;charset=UTF-8';
    } else if (reply.attachment !== undefined) {
      const a = reply.attachment;
      headers['content-type'] = a.mimeType;
      headers['content-length'] = String(a.size);
      headers['content-disposition'] =
        `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`;
    }
    if (payload !== undefined) headers['content-length'] = String(payload.length);
    if (record !== null && opts.onExchange) {
      opts.onExchange({
        ...record,
        status: reply.status,
        responseHeaders: { ...headers },
        ...(reply.json !== undefined
          ? { responseJson: JSON.parse(JSON.stringify(reply.json)) as unknown }
          : {}),
      });
    }
    res.writeHead(reply.status, headers);
    if (payload !== undefined) {
      res.end(payload);
      return;
    }
    if (reply.attachment !== undefined) {
      const chunks = reply.attachment.chunks;
      let i = 0;
      const pump = (): void => {
        while (i < chunks.length) {
          const ok = res.write(chunks[i++]);
          if (!ok) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => {
        i = chunks.length;
      });
      pump();
      return;
    }
    res.end();
  };

  const errorReply = (e: unknown, path: string): Reply => {
    if (e instanceof SimError) {
      if (path.startsWith('/rest/servicedeskapi/')) {
        return { status: e.status, json: { errorMessage: e.message } };
      }
      return { status: e.status, json: envelope(e.errorMessages, { ...e.errors }) };
    }
    return { status: 500, json: envelope(['Internal server error']) };
  };

  const handleApi = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    mediaOnly: boolean,
  ): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      const value = Array.isArray(v) ? v.join(', ') : v;
      headers[k] = k === 'authorization' ? `${value.split(' ')[0] ?? ''} <redacted>` : value;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const record: Omit<Exchange, 'status' | 'responseHeaders' | 'responseJson'> = {
      method,
      path,
      query,
      headers,
    };

    const matched = matchRoute(routes, method, path);
    const routeKey = `${method} ${matched.route?.template ?? path}`;
    stats.total += 1;
    stats.byRoute[routeKey] = (stats.byRoute[routeKey] ?? 0) + 1;

    const fault = faults.match(method, `${path}${url.search}`);
    const faultReply = (f: FiredFault): Reply => ({
      status: f.status ?? 500,
      json: envelope([
        f.status === 429 ? 'Rate limit exceeded.' : `Injected failure (${f.status ?? 500}).`,
      ]),
      headers:
        f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {},
    });
    if (fault?.latencyMs !== undefined && fault.latencyMs > 0) {
      await new Promise((r) => setTimeout(r, fault.latencyMs));
    }
    if (fault?.drop && !fault.after) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined && !fault.after) {
      sendReply(res, faultReply(fault), record);
      return;
    }
    /** Sends the handled request's answer, unless an `after` fault replaces it. */
    const finish = (reply: Reply): void => {
      if (fault?.after && fault.drop) {
        req.socket.destroy();
        return;
      }
      sendReply(res, fault?.after ? faultReply(fault) : reply, record);
    };
    if (down) {
      sendReply(res, { status: 503, json: envelope(['Service Unavailable']) }, record);
      return;
    }
    if (!matched.route || (mediaOnly && !matched.route.template.startsWith('/_media/'))) {
      sendReply(
        res,
        { status: matched.methodMismatch ? 405 : 404, json: envelope(['Not found']) },
        record,
      );
      return;
    }
    const route = matched.route;
    if (route.noAuth) {
      if (mediaOnly && req.headers.authorization !== undefined) {
        sendReply(
          res,
          {
            status: 401,
            json: {
              error: { code: 'Unauthorized', title: 'Authorization header not accepted here.' },
            },
          },
          record,
        );
        return;
      }
    } else if (req.headers.authorization !== expectedAuth) {
      sendReply(
        res,
        {
          status: 401,
          text: UNAUTHENTICATED,
          headers: { 'www-authenticate': 'OAuth realm="https%3A%2F%2Fexample.atlassian.net"' },
        },
        record,
      );
      return;
    }
    const writtenIssue =
      method !== 'GET' && matched.params['issueIdOrKey'] !== undefined
        ? state.find(matched.params['issueIdOrKey'])
        : undefined;
    if (writtenIssue !== undefined) {
      const admitted = writeLimit.admit(writtenIssue.id, state.nowMs());
      if (!admitted.ok) {
        // Read the refused body first: answering mid-upload would reset the client's socket.
        await new Promise<void>((resolve) => {
          req.once('end', resolve);
          req.once('close', resolve);
          req.resume();
        });
        sendReply(
          res,
          {
            status: 429,
            json: envelope(['Rate limit exceeded.']),
            headers: {
              'retry-after': String(admitted.retryAfterSeconds),
              'ratelimit-reason': PER_ISSUE_WRITE_REASON,
            },
          },
          record,
        );
        return;
      }
    }
    let body: unknown;
    if (!route.raw && (method === 'POST' || method === 'PUT')) {
      const ct = (req.headers['content-type'] ?? '').toLowerCase();
      let raw: Buffer;
      try {
        raw = await readBody(req, MAX_JSON_BODY);
      } catch (e) {
        sendReply(res, errorReply(e, path), record);
        return;
      }
      if (!ct.startsWith('application/json')) {
        sendReply(res, { status: 415, text: '' }, record);
        return;
      }
      try {
        body = raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown);
      } catch {
        sendReply(
          res,
          errorReply(fail(400, 'Unexpected character in the request body: not valid JSON.'), path),
          { ...record },
        );
        return;
      }
      if (body !== undefined) record.requestJson = body;
    }
    let reply: Reply;
    try {
      reply = await route.handler({
        req,
        params: matched.params,
        query: url.searchParams,
        body,
        base,
      });
    } catch (e) {
      reply = errorReply(e, path);
    }
    finish(reply);
  };

  // --- person API ----------------------------------------------------------------------

  const personCreate = (input: PersonIssueInput): IssueRecord => {
    const projectKey = input.projectKey ?? (state.projects[0]?.key as string);
    if (!state.project(projectKey)) throw new Error(`unknown project ${projectKey}`);
    if (input.priority !== undefined && !state.priorities.includes(input.priority)) {
      throw new Error(`unknown priority ${input.priority}`);
    }
    const reporter = state.person(input.reporterDisplayName);
    return state.createIssue({
      projectKey,
      summary: input.summary,
      description: input.description === undefined ? null : simTextToAdf(input.description),
      priority: input.priority,
      labels: input.labels,
      components: input.components,
      issueType: input.issueType,
      custom: input.custom,
      reporterId: reporter.accountId,
      createdAt: input.createdAt,
    });
  };

  const personComment = (idOrKey: string, input: PersonCommentInput): CommentSnapshot => {
    const issue = state.get(idOrKey);
    const author = state.person(input.displayName);
    const c = state.addComment(issue, {
      authorId: author.accountId,
      body: input.adf ?? simTextToAdf(input.body ?? ''),
      internal: input.public === false,
      properties:
        input.public === false ? [{ key: 'sd.public.comment', value: { internal: true } }] : [],
    });
    const snap = state.snapshot(issue).comments.find((x) => x.id === c.id);
    return snap as CommentSnapshot;
  };

  const personAttachment = (idOrKey: string, input: PersonAttachmentInput): AttachmentSnapshot => {
    const issue = state.get(idOrKey);
    const author = state.person(input.displayName);
    const a = state.addAttachment(issue, {
      filename: input.filename,
      mimeType: input.mimeType ?? 'application/octet-stream',
      chunks: [input.content],
      size: input.content.length,
      authorId: author.accountId,
    });
    return {
      id: a.id,
      filename: a.filename,
      mimeType: a.mimeType,
      size: a.size,
      content: input.content,
      author: { accountId: author.accountId, displayName: author.displayName },
      created: new Date(a.created),
    };
  };

  const personPriority = (idOrKey: string, name: string): void => {
    if (!state.priorities.includes(name)) throw new Error(`unknown priority ${name}`);
    state.write(state.get(idOrKey), { priority: name });
  };

  const personTransition = (idOrKey: string, status: string): void => {
    if (!SIM_STATUSES.some((s) => s.name === status)) throw new Error(`unknown status ${status}`);
    state.transition(state.get(idOrKey), status);
  };

  const personLabels = (idOrKey: string, labels: string[]): void => {
    state.write(state.get(idOrKey), { labels: dedupe(labels) });
  };

  // --- control API ---------------------------------------------------------------------

  const snapshotJson = (s: IssueSnapshot): unknown => ({
    ...s,
    created: s.created.toISOString(),
    updated: s.updated.toISOString(),
    comments: s.comments.map((c) => ({ ...c, created: c.created.toISOString() })),
    attachments: s.attachments.map(({ content: _content, ...a }) => ({
      ...a,
      created: a.created.toISOString(),
    })),
  });

  const handleControl = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = url.pathname
      .split('/')
      .slice(2)
      .map((p) => decodeURIComponent(p));
    const send = (status: number, json?: unknown): void => {
      if (json === undefined) {
        res.writeHead(status).end();
        return;
      }
      const payload = Buffer.from(JSON.stringify(json));
      res
        .writeHead(status, {
          'content-type': 'application/json',
          'content-length': String(payload.length),
        })
        .end(payload);
    };
    try {
      const isAttachmentUpload =
        method === 'POST' && parts[0] === 'issues' && parts[2] === 'attachments';
      let body: Record<string, unknown> = {};
      if (!isAttachmentUpload && (method === 'POST' || method === 'PUT')) {
        const raw = await readBody(req, MAX_JSON_BODY);
        body = raw.length === 0 ? {} : (asRecord(JSON.parse(raw.toString('utf8'))) ?? {});
      }
      const [a, b, c] = parts;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      if (a === 'issues' && b === undefined && method === 'GET')
        return send(
          200,
          state.all().map((i) => snapshotJson(state.snapshot(i))),
        );
      if (a === 'issues' && b === undefined && method === 'POST') {
        const created = personCreate({
          summary: str(body['summary']) ?? 'Untitled',
          description: str(body['description']),
          labels: Array.isArray(body['labels']) ? (body['labels'] as string[]) : undefined,
          priority: str(body['priority']),
          projectKey: str(body['projectKey']),
          createdAt:
            str(body['createdAt']) !== undefined
              ? new Date(str(body['createdAt']) as string)
              : undefined,
          reporterDisplayName: str(body['reporterDisplayName']),
        });
        return send(201, snapshotJson(state.snapshot(created)));
      }
      if (a === 'issues' && b !== undefined) {
        if (c === undefined && method === 'GET')
          return send(200, snapshotJson(state.snapshot(state.get(b))));
        if (c === undefined && method === 'DELETE') {
          state.deleteIssue(b);
          return send(204);
        }
        if (c === 'comments' && method === 'POST') {
          const snap = personComment(b, {
            body: str(body['body']),
            adf: body['adf'],
            displayName: str(body['displayName']),
            public: body['public'] === false ? false : true,
          });
          return send(201, { ...snap, created: snap.created.toISOString() });
        }
        if (c === 'attachments' && method === 'POST') {
          const issue = state.get(b);
          const chunks: Buffer[] = [];
          let size = 0;
          for await (const chunk of req) {
            chunks.push(chunk as Buffer);
            size += (chunk as Buffer).length;
          }
          const author = state.person(url.searchParams.get('displayName') ?? undefined);
          const rec = state.addAttachment(issue, {
            filename: url.searchParams.get('filename') ?? 'file',
            mimeType: url.searchParams.get('mimeType') ?? 'application/octet-stream',
            chunks,
            size,
            authorId: author.accountId,
          });
          return send(201, {
            id: rec.id,
            filename: rec.filename,
            mimeType: rec.mimeType,
            size: rec.size,
            author: { accountId: author.accountId, displayName: author.displayName },
            created: new Date(rec.created).toISOString(),
          });
        }
        if (c === 'priority' && method === 'POST') {
          personPriority(b, str(body['priority']) ?? '');
          return send(204);
        }
        if (c === 'transition' && method === 'POST') {
          personTransition(b, str(body['to']) ?? '');
          return send(204);
        }
        if (c === 'move' && method === 'POST') {
          const moved = state.moveIssue(b, str(body['projectKey']) ?? '');
          return send(200, snapshotJson(state.snapshot(moved)));
        }
        if (c === 'labels' && method === 'POST') {
          personLabels(b, Array.isArray(body['labels']) ? (body['labels'] as string[]) : []);
          return send(204);
        }
      }
      if (a === 'faults' && method === 'POST')
        return send(201, { id: faults.add(body as FaultSpec) });
      if (a === 'faults' && method === 'GET') return send(200, faults.list());
      if (a === 'faults' && method === 'DELETE') {
        faults.clear();
        return send(204);
      }
      if (a === 'write-limits' && method === 'GET')
        return send(200, { limits: writeLimit.limits(), rejected: writeLimit.rejected() });
      if (a === 'write-limits' && method === 'POST') {
        const limits = body['limits'];
        if (limits !== false && !Array.isArray(limits))
          throw new Error('limits must be a list of {limit, windowMs} or false');
        writeLimit.setWindows(limits === false ? [] : (limits as SimWriteWindow[]));
        return send(204);
      }
      if (a === 'down' && method === 'POST') {
        down = body['down'] === true;
        return send(204);
      }
      if (a === 'stats' && method === 'GET') return send(200, stats);
      if (a === 'stats' && method === 'DELETE') {
        stats = { total: 0, byRoute: {} };
        return send(204);
      }
      return send(404, { error: 'unknown control route' });
    } catch (e) {
      if (e instanceof SimError) return send(e.status, envelope(e.errorMessages, { ...e.errors }));
      return send(400, { error: e instanceof Error ? e.message : 'bad request' });
    }
  };

  // --- servers -------------------------------------------------------------------------

  const listener =
    (mediaOnly: boolean) =>
    (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const work =
        !mediaOnly && (url.pathname === '/_control' || url.pathname.startsWith('/_control/'))
          ? handleControl(req, res, url)
          : handleApi(req, res, url, mediaOnly);
      work.catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    };

  const listen = (server: http.Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });

  const server = http.createServer(listener(false));
  const port = await listen(server, opts.port ?? 0);
  base = `http://127.0.0.1:${port}`;
  let mediaServer: http.Server | undefined;
  if (opts.separateMediaHost === true) {
    mediaServer = http.createServer(listener(true));
    mediaBase = `http://127.0.0.1:${await listen(mediaServer, 0)}`;
  } else {
    mediaBase = base;
  }

  const closeServer = (s: http.Server): Promise<void> =>
    new Promise((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });

  return {
    url: base,
    mediaUrl: mediaBase,
    email,
    apiToken,
    apiUser: {
      accountId: apiUser.accountId,
      displayName: apiUser.displayName,
      emailAddress: email,
    },
    uploadLimitBytes: uploadLimit,
    faults,
    setDown: (d) => {
      down = d;
    },
    setPerIssueWriteLimits: (limits) => writeLimit.setWindows(limits === false ? [] : limits),
    perIssueWriteRejections: () => writeLimit.rejected(),
    stats: () => ({ total: stats.total, byRoute: { ...stats.byRoute } }),
    resetStats: () => {
      stats = { total: 0, byRoute: {} };
    },
    createIssue: (input) => state.snapshot(personCreate(input)),
    addComment: personComment,
    addAttachment: personAttachment,
    setPriority: personPriority,
    transition: personTransition,
    deleteIssue: (idOrKey) => state.deleteIssue(idOrKey),
    moveIssue: (idOrKey, projectKey) => state.snapshot(state.moveIssue(idOrKey, projectKey)),
    setLabels: personLabels,
    setIssueProperty: (idOrKey, key, value) => {
      state.get(idOrKey).properties.set(key, value);
    },
    getIssue: (idOrKey) => {
      const issue = state.find(idOrKey);
      return issue ? state.snapshot(issue) : null;
    },
    listIssues: () => state.all().map((i) => state.snapshot(i)),
    close: async () => {
      await Promise.all([closeServer(server), ...(mediaServer ? [closeServer(mediaServer)] : [])]);
    },
  };
}

export { ISSUE_NOT_FOUND };
