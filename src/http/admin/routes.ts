// The status page (/admin/): every request proves its user (IAP on App Engine) or is
// answered 401 with nothing shown; actions are POST forms behind a confirmation page,
// refused unless they come from the page's own origin (CSRF), and logged with the email.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PairFilter } from '../../domain/mapping';
import type { AdminIdentity, AdminUser } from '../../ports/admin-identity';
import { applyAdminAction, type AdminAction, type AdminDeps } from '../../tasks/admin-actions';
import type { Html } from './html';
import {
  FILTERS,
  renderConfirm,
  renderMessage,
  renderPage,
  type AdminLinks,
  type FilterName,
} from './render';

export interface AdminRoutesOptions {
  readonly deps: AdminDeps;
  readonly identity: AdminIdentity;
  readonly links: AdminLinks;
  /** Pairs per page (default 50; the store caps pages at 100). */
  readonly pageSize?: number;
}

const ACTIONS: readonly AdminAction[] = ['sync-now', 'pause', 'resume'];
const DONE: Readonly<Record<AdminAction, string>> = {
  'sync-now': 'Both sync tasks were queued.',
  pause: 'The pair is paused.',
  resume: 'The pair is resumed; both sync tasks were queued.',
};
const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;
const TOKEN = /^[\w:=+/.-]{1,2000}$/;
const ID = /^[\w-]{1,100}$/;

declare module 'fastify' {
  interface FastifyRequest {
    adminUser?: AdminUser;
  }
}

export async function adminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): Promise<void> {
  const { deps, identity } = opts;
  const view = (req: FastifyRequest) => ({ iap: identity.iap, user: req.adminUser?.email ?? '' });
  const send = (reply: FastifyReply, page: Html, code = 200) =>
    reply
      .code(code)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      )
      .send(page.value);

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.addHook('onRequest', async (req, reply) => {
    const user = await identity.identify(req.headers);
    if (!user) {
      req.log.warn({ route: req.routeOptions.url }, 'status page request refused');
      await reply.code(401).header('content-type', 'text/plain').send('unauthorized');
      return reply;
    }
    req.adminUser = user;
  });

  app.get('/admin', async (_req, reply) => reply.redirect('/admin/'));
  app.get<{ Querystring: { filter?: string; page?: string; done?: string } }>(
    '/admin/',
    async (req, reply) => {
      const filter: FilterName =
        req.query.filter !== undefined && req.query.filter in FILTERS
          ? (req.query.filter as FilterName)
          : 'open';
      const pageToken =
        req.query.page !== undefined && TOKEN.test(req.query.page) ? req.query.page : undefined;
      const now = deps.clock.now();
      const storeFilter: PairFilter =
        filter === 'closed'
          ? { kind: 'closed', since: new Date(now.getTime() - THIRTY_DAYS_MS) }
          : { kind: filter };
      const [page, global, runs] = await Promise.all([
        deps.store
          .listPairs(storeFilter, { pageSize: opts.pageSize ?? 50, pageToken })
          .catch(() => null),
        deps.store.getGlobal(),
        deps.store.listTaskRuns(25),
      ]);
      if (page === null) {
        return send(
          reply,
          renderMessage(view(req), 'Page not found', 'That page link expired.'),
          400,
        );
      }
      const done = ACTIONS.find((a) => a === req.query.done);
      return send(
        reply,
        renderPage({
          ...view(req),
          filter,
          pairs: page.items,
          nextPageToken: page.nextPageToken,
          firstPage: pageToken === undefined,
          global,
          runs,
          links: opts.links,
          notice: done ? DONE[done] : undefined,
        }),
      );
    },
  );

  app.get<{ Querystring: { action?: string; id?: string } }>(
    '/admin/confirm',
    async (req, reply) => {
      const action = ACTIONS.find((a) => a === req.query.action);
      const id = req.query.id;
      const m = action && id && ID.test(id) ? await deps.store.get(id) : null;
      if (!action || !m)
        return send(reply, renderMessage(view(req), 'Not found', 'No such pair or action.'), 404);
      return send(reply, renderConfirm(view(req), action, m));
    },
  );

  app.post<{ Body: { action?: string; id?: string } }>('/admin/actions', async (req, reply) => {
    if (!sameOrigin(req)) {
      req.log.warn({ route: '/admin/actions' }, 'status page action refused: not same-origin');
      return send(
        reply,
        renderMessage(view(req), 'Refused', 'Actions are accepted from this page only.'),
        403,
      );
    }
    const body = typeof req.body === 'object' && req.body !== null ? req.body : {};
    const action = ACTIONS.find((a) => a === body.action);
    const id = typeof body.id === 'string' && ID.test(body.id) ? body.id : null;
    if (!action || !id)
      return send(reply, renderMessage(view(req), 'Bad request', 'Unknown action.'), 400);
    const r = await applyAdminAction(deps, action, id, req.adminUser?.email ?? 'unknown');
    if (!r.ok) {
      return send(
        reply,
        renderMessage(view(req), 'Not done', `The action could not be applied (${r.reason}).`),
        409,
      );
    }
    return reply.redirect(`/admin/?done=${action}#pair-${id}`, 303);
  });
}

/**
 * CSRF: browsers send Origin on every form POST (and Sec-Fetch-Site); both must say the
 * request came from this host. IAP's cookie alone would let another site post a form.
 */
function sameOrigin(req: FastifyRequest): boolean {
  const host = req.headers.host;
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return req.headers['sec-fetch-site'] === 'same-origin';
}
