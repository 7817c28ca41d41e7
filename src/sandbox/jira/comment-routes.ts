// Comments: list and add (platform v3, ADF bodies; JSM internal comments through the
// `sd.public.comment` property) and JSM's own POST /rest/servicedeskapi/request/{id}/comment.
import type { FastifyInstance } from 'fastify';
import { adfProblem, simAdfToText, simTextToAdf } from './adf';
import type { JiraRoutesOptions } from './app';
import type { SimHandler } from './route-table';
import { COMMENT_MAX_CHARS, SimError } from './state-model';
import { asRecord, fail, jiraDate, requireObject } from './wire';

const COMMENTS_MAX_RESULTS = 100;

export async function commentRoutes(
  app: FastifyInstance,
  { ctx, render, edits, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const { avatarUrls, commentJson } = render;
  const { checkProperties } = edits;

  const getComments: SimHandler = ({ params, query }) => {
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

  const addCommentApi: SimHandler = ({ params, body, query }) => {
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
      authorId: ctx.apiUser.accountId,
      body: adf,
      internal,
      properties: props,
    });
    const expand = (query.get('expand') ?? '').split(',');
    return { status: 201, json: commentJson(c, expand.includes('properties')) };
  };

  const jsmComment: SimHandler = ({ params, body }) => {
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
      authorId: ctx.apiUser.accountId,
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
          accountId: ctx.apiUser.accountId,
          emailAddress: ctx.apiUser.emailAddress,
          displayName: ctx.apiUser.displayName,
          active: true,
          timeZone: 'UTC',
          _links: {
            jiraRest: `${ctx.base}/rest/api/2/user?accountId=${encodeURIComponent(ctx.apiUser.accountId)}`,
            avatarUrls: avatarUrls(ctx.apiUser.accountId),
            self: `${ctx.base}/rest/api/2/user?accountId=${encodeURIComponent(ctx.apiUser.accountId)}`,
          },
        },
        created: {
          iso8601: jiraDate(c.created),
          jira: jiraDate(c.created),
          friendly: 'Today',
          epochMillis: c.created,
        },
        _links: { self: `${ctx.base}/rest/servicedeskapi/request/${issue.id}/comment/${c.id}` },
      },
    };
  };

  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/issue/{issueIdOrKey}/comment',
    handler: getComments,
  });
  pipeline.route(app, {
    method: 'POST',
    template: '/rest/api/3/issue/{issueIdOrKey}/comment',
    handler: addCommentApi,
  });
  pipeline.route(app, {
    method: 'POST',
    template: '/rest/servicedeskapi/request/{issueIdOrKey}/comment',
    handler: jsmComment,
  });
}
