// The checks every API request passes, in the order the simulator has always made them
// (like Google's front ends): counted, then faults, then availability, then the bearer
// token, then the route (its strict template) and its query parameters. /_control is
// exempt from all of them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError, sendFault, sendJson } from './answers';
import { drain } from './body';
import { createCtx, ctxOf, isControlPath, requestUrl, type Ctx } from './context';
import { invalid, SimHttpError } from './errors';
import { faultHook } from './fault-hook';
import { ROUTE_PARAMS, routeConfigOf, strictMatch, SYSTEM_PARAMS, WRITE_ROUTES } from './routing';
import type { SimRuntime } from './runtime';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const UNAUTHENTICATED =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.';

const PERMISSION_DENIED = 'The caller does not have permission';

export function notFoundError(): SimHttpError {
  return new SimHttpError(404, 'NOT_FOUND', 'The requested URL was not found on this server.');
}

export interface Gate {
  /** The onRequest hooks of the API, in order (an answer ends the chain). */
  readonly hooks: readonly Hook[];
  /** Runs them by hand, for requests Fastify answers before any hook (a malformed URL). */
  run(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export function createGate(rt: SimRuntime): Gate {
  const open: Hook = async (request, reply) => {
    if (isControlPath(requestUrl(request.raw.url).pathname)) return;
    const ctx = createCtx(request, reply);
    const config = routeConfigOf(request);
    const route = config ? strictMatch(config, ctx.pathname) : null;
    if (route) ctx.route = route;
    rt.count(route?.id ?? 'unknown');
  };
  const faults = faultHook({
    faults: rt.faults,
    delay: (ms) => rt.delay(ms),
    target: (request) => ctxOf(request) ?? null,
    defer: (request, fault) => {
      const ctx = ctxOf(request);
      if (ctx) ctx.afterFault = fault;
    },
    answer: (request, _reply, fault) => {
      const ctx = ctxOf(request);
      if (ctx) sendFault(rt, ctx, fault);
    },
  });
  const refuse = async (ctx: Ctx, e: SimHttpError): Promise<void> => {
    await drain(ctx.req);
    sendError(rt, ctx, e);
  };
  const checks: Hook = async (request) => {
    const ctx = ctxOf(request);
    if (!ctx) return;
    if (rt.down) {
      return refuse(
        ctx,
        new SimHttpError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
      );
    }
    const m = /^Bearer\s+(.+)$/i.exec(ctx.headers.authorization ?? '');
    if (!m || m[1] !== rt.token) {
      return refuse(ctx, new SimHttpError(401, 'UNAUTHENTICATED', UNAUTHENTICATED));
    }
    const route = ctx.route;
    if (!route) return refuse(ctx, notFoundError());
    const unknownParam = Object.keys(ctx.query).find(
      (k) => !SYSTEM_PARAMS.has(k) && !(ROUTE_PARAMS[route.id] ?? []).includes(k),
    );
    if (unknownParam !== undefined) {
      return refuse(
        ctx,
        invalid(
          `Invalid JSON payload received. Unknown name "${unknownParam}": Cannot bind query parameter.`,
        ),
      );
    }
    // IAM on the parent (caseClassifications:search has none; testIamPermissions answers it).
    const access = route.parent === '' ? 'edit' : rt.access(route.parent);
    const iam = route.id === 'resourcemanager.testIamPermissions';
    if (!iam && (access === 'none' || (access === 'view' && WRITE_ROUTES.has(route.id)))) {
      return refuse(ctx, new SimHttpError(403, 'PERMISSION_DENIED', PERMISSION_DENIED));
    }
  };
  // The project's quota counts the requests that passed the checks (project-quota.ts).
  const quota: Hook = async (request, reply) => {
    const ctx = ctxOf(request);
    if (!ctx || reply.sent) return;
    const refused = rt.quota.admit();
    if (refused === undefined) return;
    await drain(ctx.req);
    sendJson(rt, ctx, 429, refused);
  };
  const hooks = [open, faults, checks, quota];
  return {
    hooks,
    async run(request, reply) {
      for (const hook of hooks) {
        if (reply.sent) return;
        await hook(request, reply);
      }
    },
  };
}
