// The programmatic "person" API: what people (agents, customers) do in Jira, bypassing the
// REST API, its auth and its per-issue write limit. Used by tests, the sandbox and /_control.
import { simTextToAdf } from './adf';
import type { JiraState } from './state';
import { dedupe, SIM_STATUSES, type IssueRecord } from './state-model';
import type { AttachmentSnapshot, CommentSnapshot } from './snapshots';
import type { PersonAttachmentInput, PersonCommentInput, PersonIssueInput } from './types';

export interface PersonApi {
  create(input: PersonIssueInput): IssueRecord;
  comment(idOrKey: string, input: PersonCommentInput): CommentSnapshot;
  attachment(idOrKey: string, input: PersonAttachmentInput): AttachmentSnapshot;
  priority(idOrKey: string, name: string): void;
  transition(idOrKey: string, status: string): void;
  labels(idOrKey: string, labels: string[]): void;
}

export function personApi(state: JiraState): PersonApi {
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
    state.write(state.get(idOrKey), { priority: name }, state.person(undefined).accountId);
  };

  const personTransition = (idOrKey: string, status: string): void => {
    if (!SIM_STATUSES.some((s) => s.name === status)) throw new Error(`unknown status ${status}`);
    state.transition(state.get(idOrKey), status, state.person(undefined).accountId);
  };

  const personLabels = (idOrKey: string, labels: string[]): void => {
    state.write(state.get(idOrKey), { labels: dedupe(labels) }, state.person(undefined).accountId);
  };

  return {
    create: personCreate,
    comment: personComment,
    attachment: personAttachment,
    priority: personPriority,
    transition: personTransition,
    labels: personLabels,
  };
}
