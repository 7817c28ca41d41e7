// Entity properties of issues and comments (GET / PUT .../properties/{propertyKey}).
import type { FastifyInstance } from 'fastify';
import type { JiraRoutesOptions } from './app';
import type { SimHandler } from './route-table';
import type { CommentRecord } from './state-model';
import { fail } from './wire';

export async function propertyRoutes(
  app: FastifyInstance,
  { ctx, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;

  const commentOrFail = (id: string): CommentRecord => {
    const c = state.comment(id);
    if (!c) throw fail(404, `Can not find a comment for the id: ${id}.`);
    return c;
  };

  const entityPropertyGet =
    (which: 'issue' | 'comment'): SimHandler =>
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
    (which: 'issue' | 'comment'): SimHandler =>
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

  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/comment/{commentId}/properties/{propertyKey}',
    handler: entityPropertyGet('comment'),
  });
  pipeline.route(app, {
    method: 'PUT',
    template: '/rest/api/3/comment/{commentId}/properties/{propertyKey}',
    handler: entityPropertyPut('comment'),
  });
  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
    handler: entityPropertyGet('issue'),
  });
  pipeline.route(app, {
    method: 'PUT',
    template: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
    handler: entityPropertyPut('issue'),
  });
}
