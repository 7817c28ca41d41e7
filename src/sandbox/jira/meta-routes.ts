// Site metadata: the API user (/myself), projects, priorities (list and paged search) and
// fields.
import type { FastifyInstance } from 'fastify';
import type { JiraRoutesOptions } from './app';
import type { SimHandler } from './route-table';
import { SimError } from './state-model';

export async function metaRoutes(
  app: FastifyInstance,
  { ctx, render, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const { priorityJson, userJson, projectJson, componentJson, issueTypeJson } = render;

  const project: SimHandler = ({ params }) => {
    const p = state.project(params['projectIdOrKey'] ?? '');
    if (p === undefined)
      throw new SimError(404, ['No project could be found with key or id given.']);
    return {
      status: 200,
      json: {
        ...projectJson(p.key),
        description: '',
        components: p.components.map((name) => componentJson(p.key, name)),
        issueTypes: state.issueTypes.map(issueTypeJson),
        properties: {},
      },
    };
  };

  const myself: SimHandler = () => ({
    status: 200,
    json: { ...userJson(ctx.apiUser), locale: 'en_US', expand: 'groups,applicationRoles' },
  });

  const prioritiesList = (): Record<string, unknown>[] =>
    state.priorities.map((name, i) => ({
      ...priorityJson(name),
      statusColor: ['#d04437', '#f15C75', '#f79232', '#707070', '#999999'][i] ?? '#999999',
      description: name,
      isDefault: name === 'Medium',
    }));

  const fieldList: SimHandler = () => {
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

  const prioritySearch: SimHandler = () => {
    const values = prioritiesList();
    return {
      status: 200,
      json: {
        self: `${ctx.base}/rest/api/3/priority/search`,
        maxResults: 50,
        startAt: 0,
        total: values.length,
        isLast: true,
        values,
      },
    };
  };

  pipeline.route(app, { method: 'GET', template: '/rest/api/3/myself', handler: myself });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/project/{projectIdOrKey}',
    handler: project,
  });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/priority',
    handler: () => ({ status: 200, json: prioritiesList() }),
  });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/priority/search',
    handler: prioritySearch,
  });
  pipeline.route(app, { method: 'GET', template: '/rest/api/3/field', handler: fieldList });
}
