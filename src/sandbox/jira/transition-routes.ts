// Workflow transitions: GET lists those available from the issue's status, POST applies one
// (with optional field edits on the way).
import type { FastifyInstance } from 'fastify';
import type { JiraRoutesOptions } from './app';
import type { SimHandler } from './route-table';
import { SimError, type IssueRecord, type SimTransition } from './state-model';
import { asRecord, fail, requireObject } from './wire';

export async function transitionRoutes(
  app: FastifyInstance,
  { ctx, render, edits, pipeline }: JiraRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const { statusJson } = render;
  const { applyEdits } = edits;

  const availableTransitions = (issue: IssueRecord): readonly SimTransition[] =>
    ctx.transitions.filter((t) => t.to !== issue.fields.status);

  const transitionJson = (t: SimTransition): Record<string, unknown> => ({
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

  const getTransitions: SimHandler = ({ params }) => {
    const issue = state.get(params['issueIdOrKey'] ?? '');
    return {
      status: 200,
      json: { expand: 'transitions', transitions: availableTransitions(issue).map(transitionJson) },
    };
  };

  const doTransition: SimHandler = ({ params, body }) => {
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

  pipeline.route(app, {
    method: 'GET',
    template: '/rest/api/3/issue/{issueIdOrKey}/transitions',
    handler: getTransitions,
  });
  pipeline.route(app, {
    method: 'POST',
    template: '/rest/api/3/issue/{issueIdOrKey}/transitions',
    handler: doTransition,
  });
}
