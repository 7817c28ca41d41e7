// Jira's JSON for the simulator's records: users, priorities, statuses, projects,
// components, issue types, attachments, comments and issues (with field and property
// selection as `fields=` and `properties=` ask for it).
import { createHash } from 'node:crypto';
import type { SimContext } from './context';
import {
  STATUS_CATEGORIES,
  type AttachmentRecord,
  type CommentRecord,
  type IssueFields,
  type IssueRecord,
  type SimUser,
} from './state-model';
import { jiraDate } from './wire';

export type FieldSelector = (name: string) => boolean;
export type PropertySelector = ((key: string) => boolean) | null;

/** `fields=` (repeatable, comma-separated): `*all`, `*navigable`, names and `-name`. */
export function fieldSelector(
  requested: readonly string[] | undefined,
  dflt: 'all' | 'id',
): FieldSelector {
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
}

/** `properties=`: null (none) unless some are asked for; `*all` for every one. */
export function propertySelector(requested: readonly string[] | undefined): PropertySelector {
  const list = (requested ?? [])
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (list.length === 0) return null;
  if (list.includes('*all')) return () => true;
  return (k) => list.includes(k);
}

/** Jira's JSON renderers over the state, with URLs on the API listener's origin. */
export function renderer(ctx: SimContext) {
  const state = ctx.state;
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
    self: `${ctx.base}/rest/api/3/user?accountId=${encodeURIComponent(u.accountId)}`,
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
      self: `${ctx.base}/rest/api/3/priority/${id}`,
      iconUrl: `${ctx.base}/images/icons/priorities/${name.toLowerCase()}.svg`,
      name,
      id,
    };
  };

  const statusJson = (name: string): Record<string, unknown> => {
    const s = state.status(name);
    const cat = STATUS_CATEGORIES[s.categoryKey];
    return {
      self: `${ctx.base}/rest/api/3/status/${s.id}`,
      description: '',
      iconUrl: `${ctx.base}/`,
      name: s.name,
      id: s.id,
      statusCategory: {
        self: `${ctx.base}/rest/api/3/statuscategory/${cat.id}`,
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
      self: `${ctx.base}/rest/api/3/project/${p?.id ?? ''}`,
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
    return { self: `${ctx.base}/rest/api/3/component/${id}`, id, name };
  };

  const issueTypeJson = (name: string): Record<string, unknown> => {
    const id = String(10000 + state.issueTypes.indexOf(name) + 1);
    return {
      self: `${ctx.base}/rest/api/3/issuetype/${id}`,
      id,
      description: '',
      iconUrl: `${ctx.base}/images/icons/issuetypes/${id}.svg`,
      name,
      subtask: false,
      hierarchyLevel: 0,
    };
  };

  const attachmentJson = (a: AttachmentRecord): Record<string, unknown> => ({
    self: `${ctx.base}/rest/api/3/attachment/${a.id}`,
    id: a.id,
    filename: a.filename,
    author: userJson(state.user(a.authorId)),
    created: jiraDate(a.created),
    size: a.size,
    mimeType: a.mimeType,
    content: `${ctx.base}/rest/api/3/attachment/content/${a.id}`,
  });

  const commentJson = (c: CommentRecord, withProperties: boolean): Record<string, unknown> => {
    const author = userJson(state.user(c.authorId));
    return {
      self: `${ctx.base}/rest/api/3/issue/${c.issueId}/comment/${c.id}`,
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

  const issueJson = (
    issue: IssueRecord,
    f: IssueFields,
    selectField: FieldSelector,
    selectProperty: PropertySelector,
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
              self: `${ctx.base}/rest/api/3/resolution/10000`,
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
        self: `${ctx.base}/rest/api/3/issue/${issue.id}/comment`,
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
      self: `${ctx.base}/rest/api/3/issue/${issue.id}`,
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
  return {
    avatarUrls,
    userJson,
    priorityJson,
    statusJson,
    projectJson,
    componentJson,
    issueTypeJson,
    attachmentJson,
    commentJson,
    issueJson,
  };
}

export type Renderer = ReturnType<typeof renderer>;
