// Issues: create (POST /rest/api/3/issue), get and edit (GET / PUT /rest/api/3/issue/{id}),
// validated field by field like Jira.
import type { FastifyInstance } from 'fastify';
import type { JiraRoutesOptions } from './app';
import { fieldSelector, propertySelector } from './render';
import type { SimHandler } from './route-table';
import { SimError } from './state-model';
import { asRecord, fail, requireObject } from './wire';

export async function issueRoutes(
  app: FastifyInstance,
  { ctx, render, edits, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const { issueJson } = render;
  const { applyEdits, checkProperties } = edits;

  const getIssue: SimHandler = ({ params, query }) => {
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

  const createIssue: SimHandler = ({ body }) => {
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
      reporterId: ctx.apiUser.accountId,
    });
    return {
      status: 201,
      json: {
        id: issue.id,
        key: issue.fields.key,
        self: `${ctx.base}/rest/api/3/issue/${issue.id}`,
      },
    };
  };

  const editIssue: SimHandler = ({ params, body }) => {
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

  pipeline.route(app, { method: 'POST', template: '/rest/api/3/issue', handler: createIssue });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/issue/{issueIdOrKey}',
    handler: getIssue,
  });
  pipeline.route(app, {
    method: 'PUT',
    template: '/rest/api/3/issue/{issueIdOrKey}',
    handler: editIssue,
  });
}
