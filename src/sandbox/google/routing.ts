// Google's path templates on Fastify's router.
//
// CSAPI paths carry custom verbs after a colon (`{name=organizations/*/cases/*}:close`,
// `cases:search`, `attachments/*:download`). Fastify reads `:` as a parameter marker and
// cannot end a parameter with a static suffix (`/:caseId::close` is ONE parameter named
// `caseId::close` matching anything), so a template compiles to:
// - Fastify urls, one per parent collection (`organizations`, `projects`), where a static
//   colon is escaped (`cases::search`) and a `{var}:verb` segment routes as `:var` alone;
// - the strict pattern of the template, checked on the (URL-normalized) path before the
//   route runs: it holds the verb, and refuses what Fastify's router lets through (a colon
//   in an id, an empty segment, a trailing slash). A request that fails it is answered as
//   an unknown path, as Google's front ends do.
import type { FastifyRequest } from 'fastify';

export type RouteId =
  | 'cases.search'
  | 'cases.create'
  | 'cases.get'
  | 'cases.patch'
  | 'cases.close'
  | 'cases.comments.list'
  | 'cases.comments.create'
  | 'cases.attachments.list'
  | 'media.upload'
  | 'media.upload.metadata'
  | 'media.download'
  | 'caseClassifications.search'
  | 'resourcemanager.testIamPermissions';

/** A request matched to a route: its parent and the full names it addresses. */
export interface RouteMatch {
  readonly id: RouteId;
  readonly parent: string;
  readonly caseName?: string;
  readonly attachmentId?: string;
}

/** What an API route carries in its Fastify `config`. */
export interface GoogleRouteConfig {
  readonly routeId: RouteId;
  readonly pattern: RegExp;
}

const PARENT_COLLECTIONS = ['organizations', 'projects'] as const;
const VARIABLES: Readonly<Record<string, { param: string; re: string }>> = {
  '{parent}': { param: ':parentId', re: '((?:organizations|projects)/[^/:]+)' },
  '{case}': { param: ':caseId', re: '([^/:]+)' },
  '{attachment}': { param: ':attachmentId', re: '([^/:]+)' },
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Compiles a template such as `/v2/{parent}/cases/{case}:close` (variables `{parent}`,
 * `{case}`, `{attachment}`; a `:verb` may follow a variable or a literal).
 */
export function compileTemplate(template: string): { urls: string[]; pattern: RegExp } {
  const tokens = template.split(/(\{[a-z]+\})/).filter((t) => t !== '');
  let re = '^';
  let url = '';
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? '';
    const variable = VARIABLES[tok];
    if (variable) {
      re += variable.re;
      url += tok === '{parent}' ? `{collection}/:parentId` : variable.param;
      continue;
    }
    if (tok.startsWith('{')) throw new Error(`unknown template variable ${tok}`);
    re += escapeRe(tok);
    // A verb right after a variable stays out of the Fastify url (the pattern checks it).
    const afterVariable = i > 0 && VARIABLES[tokens[i - 1] ?? ''] !== undefined;
    const lit = afterVariable && tok.startsWith(':') && !tok.includes('/') ? '' : tok;
    url += lit.replace(/:/g, '::');
  }
  return {
    // A template without {parent} (caseClassifications:search) routes once.
    urls: [...new Set(PARENT_COLLECTIONS.map((c) => url.replace('{collection}', c)))],
    pattern: new RegExp(`${re}$`),
  };
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The route of a request, or null when its path breaks the route's template. */
export function strictMatch(config: GoogleRouteConfig, pathname: string): RouteMatch | null {
  const m = config.pattern.exec(pathname);
  if (!m) return null;
  const parent = safeDecode(m[1] ?? '');
  const caseId = m[2] === undefined ? undefined : safeDecode(m[2]);
  const attachmentId = m[3] === undefined ? undefined : safeDecode(m[3]);
  if (parent === null || caseId === null || attachmentId === null) return null;
  return {
    id: config.routeId,
    parent,
    caseName: caseId === undefined ? undefined : `${parent}/cases/${caseId}`,
    attachmentId,
  };
}

/** The Google route Fastify picked for a request (none for the not-found handler). */
export function routeConfigOf(request: FastifyRequest): GoogleRouteConfig | undefined {
  const config = request.routeOptions.config as Partial<GoogleRouteConfig> | undefined;
  return config?.routeId !== undefined && config.pattern !== undefined
    ? (config as GoogleRouteConfig)
    : undefined;
}

/** Query parameters every Google API method accepts. */
export const SYSTEM_PARAMS: ReadonlySet<string> = new Set([
  '$.xgafv',
  'access_token',
  'alt',
  'callback',
  'fields',
  'key',
  'oauth_token',
  'prettyPrint',
  'quotaUser',
  'uploadType',
  'upload_protocol',
]);
/** Method parameters (the discovery document's), by route. */
export const ROUTE_PARAMS: Partial<Record<RouteId, readonly string[]>> = {
  'cases.search': ['pageSize', 'pageToken', 'query'],
  'caseClassifications.search': ['pageSize', 'pageToken', 'query'],
  'cases.comments.list': ['pageSize', 'pageToken'],
  'cases.attachments.list': ['pageSize', 'pageToken'],
  'cases.patch': ['updateMask'],
  'media.upload': ['attachment.filename'],
};

/** Methods that write under their parent (refused where the caller may only view). */
export const WRITE_ROUTES: ReadonlySet<RouteId> = new Set<RouteId>([
  'cases.create',
  'cases.patch',
  'cases.close',
  'cases.comments.create',
  'media.upload',
  'media.upload.metadata',
]);
