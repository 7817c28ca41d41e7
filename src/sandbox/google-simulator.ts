// A stateful HTTP simulator of the Cloud Support API v2 (CSAPI), speaking the real wire
// format for every endpoint the GoogleSupportCases adapter calls, with fault injection,
// a control API (`/_control/...`, no auth) and an exchange hook for spec checking.
//
// Decisions where the public documentation is silent (recorded here on purpose):
// - Closing a case that is already closed answers 200 with the case, unchanged.
// - Lists are newest first (comments, like the real API; attachments likewise). Search
//   returns cases in case-number order; page tokens are opaque and stable under writes.
// - Default page sizes follow the discovery document (10); the maximum is 100.
// - No attachment size limit is documented for CSAPI: uploads of any size are accepted
//   unless the `maxUploadBytes` option is set (then 413 with status INVALID_ARGUMENT).
// - Unknown JSON field names are rejected with 400 INVALID_ARGUMENT, as Google's JSON
//   parser does ("Invalid JSON payload received. Unknown name ...").

import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { z } from 'zod';
import type { Exchange } from './exchange';
import { FaultRegistry, type FaultSpec, type FiredFault } from './faults';
import { boundaryOf, MultipartError, parseMultipartRelated } from './google-sim-multipart';
import {
  attachmentJson,
  caseJson,
  commentJson,
  DEFAULT_GOOGLE_PARENT,
  GoogleSimState,
  GRPC_STATUS_FOR_HTTP,
  invalid,
  SIM_PRIORITIES,
  SimHttpError,
  type CaseRecord,
  type SimAttachment,
  type SimCase,
  type SimCaseDetail,
  type SimComment,
  type SimPriority,
  type SimState,
} from './google-sim-state';

export type { FaultSpec } from './faults';
export { FaultRegistry } from './faults';
export {
  DEFAULT_GOOGLE_PARENT,
  MAX_COMMENT_CHARS,
  SIM_PRIORITIES,
  type SimActor,
  type SimAttachment,
  type SimCase,
  type SimCaseDetail,
  type SimComment,
  type SimPriority,
  type SimState,
} from './google-sim-state';

export interface GoogleSimulatorOptions {
  /** Listen port on 127.0.0.1 (0 = any free port). */
  port?: number;
  /** The bearer token every API request must carry. Default `sandbox-token`. */
  token?: string;
  now?: () => Date;
  /** Random source for `rate` faults (seedable in tests). Default Math.random. */
  random?: () => number;
  /** The API caller (the connector's service account). */
  callerDisplayName?: string;
  callerEmail?: string;
  /** First case number handed out. Default 50000001. */
  firstCaseNumber?: number;
  /** Parent used by createCase() when none is given. */
  defaultParent?: string;
  /** When set, cases.create accepts only these classification ids. */
  classifications?: readonly { id: string; displayName: string }[];
  /** When set, larger uploads answer 413. Default: no limit (none is documented). */
  maxUploadBytes?: number;
  /** Called for every API request answered (not for /_control, not for dropped ones). */
  onExchange?: (ex: Exchange) => void;
}

export interface SimStats {
  total: number;
  /** Keys are the API method ids: `cases.search`, `cases.get`, `media.upload`, … or `unknown`. */
  byRoute: Record<string, number>;
}

export interface GoogleSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` (the value for CLOUDSUPPORT_EMULATOR_HOST). */
  readonly host: string;
  readonly token: string;
  readonly faults: FaultRegistry;
  setDown(down: boolean): void;
  stats(): SimStats;
  resetStats(): void;
  createCase(input: {
    parent?: string;
    displayName: string;
    description: string;
    priority?: SimPriority;
    createTime?: Date;
    creatorDisplayName?: string;
    classificationId?: string;
    testCase?: boolean;
  }): SimCase;
  /** A comment by a person: a Google engineer unless `googleSupport: false` (a customer). */
  addComment(
    caseName: string,
    input: { body: string; displayName?: string; googleSupport?: boolean },
  ): SimComment;
  addAttachment(
    caseName: string,
    input: {
      filename: string;
      mimeType?: string;
      content: Buffer;
      displayName?: string;
      googleSupport?: boolean;
    },
  ): SimAttachment;
  setPriority(caseName: string, priority: SimPriority): SimCase;
  /** Closes the case (idempotent). */
  closeCase(caseName: string): SimCase;
  setState(caseName: string, state: SimState): SimCase;
  /** Throws when the case does not exist. Comments and attachments oldest first. */
  getCase(caseName: string): SimCaseDetail;
  hasCase(caseName: string): boolean;
  listCases(): SimCase[];
  close(): Promise<void>;
}

// --- routing ----------------------------------------------------------------------------

type RouteId =
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
  | 'media.download';

interface RouteMatch {
  readonly id: RouteId;
  readonly parent: string;
  readonly caseName?: string;
  readonly attachmentId?: string;
}

const P = '((?:organizations|projects)/[^/:]+)';
const C = '([^/:]+)';
const ROUTES: readonly { id: RouteId; method: string; re: RegExp }[] = [
  { id: 'cases.search', method: 'GET', re: new RegExp(`^/v2/${P}/cases:search$`) },
  { id: 'cases.create', method: 'POST', re: new RegExp(`^/v2/${P}/cases$`) },
  { id: 'cases.get', method: 'GET', re: new RegExp(`^/v2/${P}/cases/${C}$`) },
  { id: 'cases.patch', method: 'PATCH', re: new RegExp(`^/v2/${P}/cases/${C}$`) },
  { id: 'cases.close', method: 'POST', re: new RegExp(`^/v2/${P}/cases/${C}:close$`) },
  { id: 'cases.comments.list', method: 'GET', re: new RegExp(`^/v2/${P}/cases/${C}/comments$`) },
  { id: 'cases.comments.create', method: 'POST', re: new RegExp(`^/v2/${P}/cases/${C}/comments$`) },
  {
    id: 'cases.attachments.list',
    method: 'GET',
    re: new RegExp(`^/v2/${P}/cases/${C}/attachments$`),
  },
  {
    id: 'media.upload.metadata',
    method: 'POST',
    re: new RegExp(`^/v2/${P}/cases/${C}/attachments$`),
  },
  {
    id: 'media.upload',
    method: 'POST',
    re: new RegExp(`^/upload/v2/${P}/cases/${C}/attachments$`),
  },
  {
    id: 'media.download',
    method: 'GET',
    re: new RegExp(`^/v2/${P}/cases/${C}/attachments/${C}:download$`),
  },
];

/** Query parameters every Google API method accepts. */
const SYSTEM_PARAMS: ReadonlySet<string> = new Set([
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
const ROUTE_PARAMS: Partial<Record<RouteId, readonly string[]>> = {
  'cases.search': ['pageSize', 'pageToken', 'query'],
  'cases.comments.list': ['pageSize', 'pageToken'],
  'cases.attachments.list': ['pageSize', 'pageToken'],
  'cases.patch': ['updateMask'],
  'media.upload': ['attachment.filename'],
};

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function matchRoute(method: string, pathname: string): RouteMatch | null {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.re.exec(pathname);
    if (!m) continue;
    const parent = safeDecode(m[1] ?? '');
    const caseId = m[2] === undefined ? undefined : safeDecode(m[2]);
    const attachmentId = m[3] === undefined ? undefined : safeDecode(m[3]);
    if (parent === null || caseId === null || attachmentId === null) return null;
    return {
      id: r.id,
      parent,
      caseName: caseId === undefined ? undefined : `${parent}/cases/${caseId}`,
      attachmentId,
    };
  }
  return null;
}

// --- request context & helpers ------------------------------------------------------------

interface Ctx {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly url: URL;
  readonly method: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  requestJson?: unknown;
  /** An `after` fault: replaces the handled request's JSON answer (see FaultSpec.after). */
  afterFault?: FiredFault;
}

const MAX_JSON_BYTES = 1024 * 1024;
const DOWNLOAD_CHUNK = 64 * 1024;

function flatHeaders(
  h: http.IncomingHttpHeaders | http.OutgoingHttpHeaders,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** Reads and discards what is left of a request body (so the answer is not cut short). */
function drain(req: http.IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}

/**
 * Feeds every chunk of the body to `take`. When `take` throws, the rest of the body is
 * read and discarded and the error is thrown at the end (leaving a for-await early would
 * destroy the request, and the client would get no answer).
 */
async function consume(req: http.IncomingMessage, take: (chunk: Buffer) => void): Promise<void> {
  let failure: unknown;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (failure !== undefined) continue;
    try {
      take(chunk);
    } catch (e) {
      failure = e;
    }
  }
  if (failure !== undefined) throw failure;
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await consume(req, (chunk) => {
    size += chunk.length;
    if (size > limit) throw new SimHttpError(413, 'INVALID_ARGUMENT', 'Request payload too large.');
    chunks.push(chunk);
  });
  return Buffer.concat(chunks, size);
}

function pageSizeOf(raw: string | undefined, def: number): number {
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw invalid(`Invalid value at 'page_size' (TYPE_INT32), "${raw}"`);
  const n = Number(raw);
  if (n < 0) throw invalid('page_size must not be negative.');
  if (n === 0) return def;
  return Math.min(n, 100);
}

function encodeToken(t: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(raw: string | undefined, kind: string, scope: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (t.k === kind && t.s === scope && typeof t.a === 'number') return t.a;
  } catch {
    /* fall through */
  }
  throw invalid('Invalid page token.');
}

// --- request schemas (strict: unknown names are rejected like Google's JSON parser) -------

const actorSchema = z.strictObject({
  displayName: z.string().optional(),
  email: z.string().optional(),
  googleSupport: z.boolean().optional(),
  username: z.string().optional(),
});
const priorityField = z.enum(['PRIORITY_UNSPECIFIED', ...SIM_PRIORITIES]);
const caseBodySchema = z.strictObject({
  name: z.string().optional(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  classification: z
    .strictObject({ id: z.string().optional(), displayName: z.string().optional() })
    .optional(),
  timeZone: z.string().optional(),
  subscriberEmailAddresses: z.array(z.string()).optional(),
  state: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  creator: actorSchema.optional(),
  contactEmail: z.string().optional(),
  escalated: z.boolean().optional(),
  testCase: z.boolean().optional(),
  languageCode: z.string().optional(),
  priority: priorityField.optional(),
});
const commentBodySchema = z.strictObject({
  name: z.string().optional(),
  createTime: z.string().optional(),
  creator: actorSchema.optional(),
  body: z.string().optional(),
  plainTextBody: z.string().optional(),
});
const attachmentMetaSchema = z.strictObject({
  attachment: z
    .strictObject({
      name: z.string().optional(),
      createTime: z.string().optional(),
      creator: actorSchema.optional(),
      filename: z.string().optional(),
      mimeType: z.string().optional(),
      sizeBytes: z.string().optional(),
    })
    .optional(),
});

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue && issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` at '${issue.path.join('.')}'` : '';
    throw invalid(
      `Invalid JSON payload received. Unknown name "${issue.keys[0] ?? ''}"${where}: Cannot find field.`,
    );
  }
  throw invalid(
    `Invalid JSON payload received. Invalid value at '${issue?.path.join('.') ?? ''}'.`,
  );
}

// --- search query -------------------------------------------------------------------------

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function parseCaseQuery(query: string): (c: CaseRecord) => boolean {
  const text = query.trim();
  if (text === '') return () => true;
  const tests: ((c: CaseRecord) => boolean)[] = [];
  for (const term of text.split(/\s+AND\s+/)) {
    const t = term.trim();
    const upd = /^update_time\s*>\s*(?:"([^"]*)"|(\S+))$/.exec(t);
    if (upd) {
      const value = upd[1] ?? upd[2] ?? '';
      const ms = RFC3339.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(ms))
        throw invalid('Invalid query: update_time must be an RFC 3339 timestamp.');
      tests.push((c) => c.updateTime.getTime() > ms);
      continue;
    }
    const state = /^state\s*=\s*(OPEN|CLOSED)$/.exec(t);
    if (state) {
      const closed = state[1] === 'CLOSED';
      tests.push((c) => (c.state === 'CLOSED') === closed);
      continue;
    }
    const prio = /^priority\s*=\s*(P[0-4])$/.exec(t);
    if (prio) {
      tests.push((c) => c.priority === prio[1]);
      continue;
    }
    throw invalid('Invalid query: unsupported expression.');
  }
  return (c) => tests.every((f) => f(c));
}

// --- control API input --------------------------------------------------------------------

const controlCaseSchema = z.object({
  parent: z.string().optional(),
  displayName: z.string().min(1),
  description: z.string(),
  priority: z.enum(SIM_PRIORITIES).optional(),
  createTime: z.iso.datetime({ offset: true }).optional(),
  creatorDisplayName: z.string().optional(),
  classificationId: z.string().optional(),
  testCase: z.boolean().optional(),
});
const controlCommentSchema = z.object({
  body: z.string(),
  displayName: z.string().optional(),
  googleSupport: z.boolean().optional(),
});
const controlFaultSchema = z.object({
  status: z.number().int().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  count: z.number().int().positive().optional(),
  rate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  drop: z.boolean().optional(),
  pathContains: z.string().optional(),
  method: z.string().optional(),
});
const controlStates = [
  'NEW',
  'IN_PROGRESS_GOOGLE_SUPPORT',
  'ACTION_REQUIRED',
  'SOLUTION_PROVIDED',
  'CLOSED',
] as const;

// --- the server ---------------------------------------------------------------------------

class GoogleSimulatorServer implements GoogleSimulator {
  readonly faults: FaultRegistry;
  readonly token: string;
  url = '';
  host = '';
  private readonly state: GoogleSimState;
  private readonly server: http.Server;
  private down = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private counts: SimStats = { total: 0, byRoute: {} };

  constructor(private readonly opts: GoogleSimulatorOptions) {
    const now = opts.now ?? (() => new Date());
    this.token = opts.token ?? 'sandbox-token';
    this.faults = new FaultRegistry(opts.random ?? Math.random);
    const callerEmail = opts.callerEmail ?? 'connector@sandbox-project.iam.gserviceaccount.com';
    this.state = new GoogleSimState({
      now,
      firstCaseNumber: opts.firstCaseNumber ?? 50_000_001,
      defaultParent: opts.defaultParent ?? DEFAULT_GOOGLE_PARENT,
      caller: {
        displayName: opts.callerDisplayName ?? 'Connector Service Account',
        email: callerEmail,
        username: callerEmail,
        googleSupport: false,
      },
      classifications: opts.classifications,
    });
    this.server = http.createServer((req, res) => {
      this.dispatch(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.statusCode = 500;
          res.end();
        } else {
          res.destroy();
        }
      });
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.host = `127.0.0.1:${addr.port}`;
    this.url = `http://${this.host}`;
  }

  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  setDown(down: boolean): void {
    this.down = down;
  }

  stats(): SimStats {
    return { total: this.counts.total, byRoute: { ...this.counts.byRoute } };
  }

  resetStats(): void {
    this.counts = { total: 0, byRoute: {} };
  }

  /** Latency injection; pending delays end (as dropped requests) when the server closes. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  // --- person API ---------------------------------------------------------------------

  createCase(input: Parameters<GoogleSimulator['createCase']>[0]): SimCase {
    return this.state.personCreate(input);
  }

  addComment(
    caseName: string,
    input: { body: string; displayName?: string; googleSupport?: boolean },
  ): SimComment {
    const actor = this.state.personActor(input.googleSupport ?? true, input.displayName);
    const { rec, comment } = this.state.addComment(caseName, input.body, actor);
    return this.state.commentSnapshot(rec, comment);
  }

  addAttachment(
    caseName: string,
    input: {
      filename: string;
      mimeType?: string;
      content: Buffer;
      displayName?: string;
      googleSupport?: boolean;
    },
  ): SimAttachment {
    const actor = this.state.personActor(input.googleSupport ?? true, input.displayName);
    const { rec, attachment } = this.state.addAttachment(
      caseName,
      {
        filename: input.filename,
        mimeType: input.mimeType ?? 'application/octet-stream',
        chunks: [input.content],
        sizeBytes: input.content.length,
      },
      actor,
    );
    return this.state.attachmentSnapshot(rec, attachment);
  }

  setPriority(caseName: string, priority: SimPriority): SimCase {
    return this.state.setPriority(caseName, priority);
  }

  closeCase(caseName: string): SimCase {
    return this.state.snapshot(this.state.close(caseName));
  }

  setState(caseName: string, state: SimState): SimCase {
    return this.state.setState(caseName, state);
  }

  getCase(caseName: string): SimCaseDetail {
    return this.state.detail(caseName);
  }

  hasCase(caseName: string): boolean {
    return this.state.has(caseName);
  }

  listCases(): SimCase[] {
    return this.state.list();
  }

  // --- HTTP -----------------------------------------------------------------------------

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/_control' || url.pathname.startsWith('/_control/')) {
      await this.control(req, res, url);
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const ctx: Ctx = { req, res, url, method, query, headers: flatHeaders(req.headers) };
    const route = matchRoute(method, url.pathname);
    const routeKey = route?.id ?? 'unknown';
    this.counts.total += 1;
    this.counts.byRoute[routeKey] = (this.counts.byRoute[routeKey] ?? 0) + 1;

    const fault = this.faults.match(method, url.pathname + url.search);
    if (fault) {
      if (fault.latencyMs) await this.delay(fault.latencyMs);
      if (req.destroyed) return;
      if (fault.after) {
        ctx.afterFault = fault;
      } else if (fault.drop) {
        req.socket.destroy();
        return;
      } else if (fault.status !== undefined) {
        await drain(req);
        this.sendFault(ctx, fault);
        return;
      }
    }
    if (this.down) {
      await drain(req);
      this.sendError(
        ctx,
        new SimHttpError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
      );
      return;
    }
    const auth = ctx.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m || m[1] !== this.token) {
      await drain(req);
      this.sendError(
        ctx,
        new SimHttpError(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      );
      return;
    }
    if (!route) {
      await drain(req);
      this.sendError(
        ctx,
        new SimHttpError(404, 'NOT_FOUND', 'The requested URL was not found on this server.'),
      );
      return;
    }
    const unknownParam = Object.keys(ctx.query).find(
      (k) => !SYSTEM_PARAMS.has(k) && !(ROUTE_PARAMS[route.id] ?? []).includes(k),
    );
    if (unknownParam !== undefined) {
      await drain(req);
      this.sendError(
        ctx,
        invalid(
          `Invalid JSON payload received. Unknown name "${unknownParam}": Cannot bind query parameter.`,
        ),
      );
      return;
    }
    try {
      await this.api(ctx, route);
    } catch (e) {
      if (req.destroyed && !req.complete) return; // the client went away mid-request
      await drain(req);
      if (e instanceof SimHttpError) this.sendError(ctx, e);
      else this.sendError(ctx, new SimHttpError(500, 'INTERNAL', 'Internal error encountered.'));
    }
  }

  private async api(ctx: Ctx, route: RouteMatch): Promise<void> {
    const caseName = route.caseName ?? '';
    switch (route.id) {
      case 'cases.search':
        return this.send(ctx, 200, this.search(route.parent, ctx.query));
      case 'cases.create': {
        const body = parseWith(caseBodySchema, await this.readJson(ctx));
        if (!body.displayName) throw invalid('display_name is required.');
        if (!body.description) throw invalid('description is required.');
        if (!body.classification?.id) throw invalid('classification.id is required.');
        if (!body.priority || body.priority === 'PRIORITY_UNSPECIFIED')
          throw invalid('priority is required.');
        const rec = this.state.apiCreate(route.parent, {
          displayName: body.displayName,
          description: body.description,
          classificationId: body.classification.id,
          priority: body.priority,
          testCase: body.testCase ?? false,
          timeZone: body.timeZone,
          languageCode: body.languageCode,
          contactEmail: body.contactEmail,
          subscriberEmailAddresses: body.subscriberEmailAddresses,
        });
        return this.send(ctx, 200, caseJson(this.state.snapshot(rec)));
      }
      case 'cases.get':
        return this.send(ctx, 200, caseJson(this.state.snapshot(this.state.get(caseName))));
      case 'cases.patch':
        return this.patch(ctx, caseName);
      case 'cases.close': {
        const raw = await this.readJson(ctx);
        parseWith(z.strictObject({}), raw);
        return this.send(ctx, 200, caseJson(this.state.snapshot(this.state.close(caseName))));
      }
      case 'cases.comments.list':
        return this.send(ctx, 200, this.listComments(caseName, ctx.query));
      case 'cases.comments.create': {
        const body = parseWith(commentBodySchema, await this.readJson(ctx));
        if (body.body === undefined || body.body === '') throw invalid('body is required.');
        const { rec, comment } = this.state.addComment(caseName, body.body, this.state.caller);
        return this.send(ctx, 200, commentJson(this.state.commentSnapshot(rec, comment)));
      }
      case 'cases.attachments.list':
        return this.send(ctx, 200, this.listAttachments(caseName, ctx.query));
      case 'media.upload.metadata':
        throw invalid('Media is required: upload through /upload/v2/{parent}/attachments.');
      case 'media.upload':
        return this.upload(ctx, caseName);
      case 'media.download':
        return this.download(ctx, caseName, route.attachmentId ?? '');
    }
  }

  private async readJson(ctx: Ctx): Promise<unknown> {
    const buf = await readBody(ctx.req, MAX_JSON_BYTES);
    if (buf.length === 0) return undefined;
    const type = ctx.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type))
      throw invalid('Request body must be application/json.');
    try {
      ctx.requestJson = JSON.parse(buf.toString('utf8')) as unknown;
    } catch {
      throw invalid('Invalid JSON payload received.');
    }
    return ctx.requestJson;
  }

  private search(parent: string, query: Record<string, string>): Record<string, unknown> {
    const pageSize = pageSizeOf(query.pageSize, 10);
    const q = query.query ?? '';
    const scope = `${parent}|${q}`;
    const after = decodeToken(query.pageToken, 'search', scope);
    const matches = parseCaseQuery(q);
    const all = this.state
      .casesUnder(parent)
      .filter((c) => (after === undefined || c.numeric > after) && matches(c));
    const page = all.slice(0, pageSize);
    const last = page[page.length - 1];
    const out: Record<string, unknown> = {};
    if (page.length > 0) out.cases = page.map((c) => caseJson(this.state.snapshot(c)));
    if (all.length > pageSize && last)
      out.nextPageToken = encodeToken({ k: 'search', s: scope, a: last.numeric });
    return out;
  }

  private listComments(caseName: string, query: Record<string, string>): Record<string, unknown> {
    const rec = this.state.get(caseName);
    return pageNewestFirst(rec.comments, 'comments', rec.number, query, (c) =>
      commentJson(this.state.commentSnapshot(rec, c)),
    );
  }

  private listAttachments(
    caseName: string,
    query: Record<string, string>,
  ): Record<string, unknown> {
    const rec = this.state.get(caseName);
    return pageNewestFirst(rec.attachments, 'attachments', rec.number, query, (a) =>
      attachmentJson(this.state.attachmentMeta(rec, a)),
    );
  }

  private async patch(ctx: Ctx, caseName: string): Promise<void> {
    this.state.get(caseName);
    const body = parseWith(caseBodySchema, await this.readJson(ctx));
    const mask = (ctx.query.updateMask ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const fields = new Set<string>();
    for (const f of mask) {
      if (f === 'priority') fields.add('priority');
      else if (f === 'display_name' || f === 'displayName') fields.add('displayName');
      else if (f === 'subscriber_email_addresses' || f === 'subscriberEmailAddresses') {
        fields.add('subscriberEmailAddresses');
      } else throw invalid(`Invalid update mask path: "${f}".`);
    }
    if (fields.size === 0) {
      fields.add('priority');
      fields.add('displayName');
      fields.add('subscriberEmailAddresses');
    }
    const update: {
      priority?: SimPriority;
      displayName?: string;
      subscriberEmailAddresses?: string[];
    } = {};
    if (fields.has('priority')) {
      if (!body.priority || body.priority === 'PRIORITY_UNSPECIFIED') {
        if (mask.length > 0) throw invalid('priority must be set when it is in the update mask.');
      } else update.priority = body.priority;
    }
    if (fields.has('displayName')) {
      if (!body.displayName) {
        if (mask.length > 0) throw invalid('display_name must not be empty.');
      } else update.displayName = body.displayName;
    }
    if (fields.has('subscriberEmailAddresses')) {
      update.subscriberEmailAddresses = body.subscriberEmailAddresses ?? [];
    }
    const rec = this.state.patch(caseName, update);
    this.send(ctx, 200, caseJson(this.state.snapshot(rec)));
  }

  private async upload(ctx: Ctx, caseName: string): Promise<void> {
    this.state.get(caseName); // 404 before reading the body
    const uploadType = ctx.query.uploadType ?? 'media';
    const limit = this.opts.maxUploadBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    const take = (chunk: Buffer): void => {
      size += chunk.length;
      if (limit !== undefined && size > limit) {
        throw new SimHttpError(
          413,
          'INVALID_ARGUMENT',
          'The attachment is larger than the maximum allowed size.',
        );
      }
      chunks.push(chunk);
    };
    let filename = ctx.query['attachment.filename'];
    let mimeType = 'application/octet-stream';

    if (uploadType === 'multipart') {
      const type = ctx.headers['content-type'] ?? '';
      const boundary = /^multipart\/related\b/i.test(type) ? boundaryOf(type) : null;
      if (!boundary)
        throw invalid('uploadType=multipart needs a multipart/related body with a boundary.');
      const meta: Buffer[] = [];
      let metaSize = 0;
      let parts: number;
      try {
        parts = await parseMultipartRelated(ctx.req as AsyncIterable<Buffer>, boundary, {
          onPartStart: (index, part) => {
            if (index === 0 && !/^application\/json\b/i.test(part.headers['content-type'] ?? '')) {
              throw invalid('The metadata part must be application/json.');
            }
            if (index === 1 && part.headers['content-type'])
              mimeType = part.headers['content-type'];
            if (index > 1) throw invalid('A multipart upload has exactly two parts.');
          },
          onPartData: (index, chunk) => {
            if (index === 0) {
              metaSize += chunk.length;
              if (metaSize > MAX_JSON_BYTES) throw invalid('Metadata part too large.');
              meta.push(chunk);
            } else take(chunk);
          },
        });
      } catch (e) {
        if (e instanceof MultipartError) throw invalid(`Malformed multipart body: ${e.message}.`);
        throw e;
      }
      if (parts !== 2) throw invalid('A multipart upload has exactly two parts.');
      let metaJson: unknown;
      try {
        metaJson = JSON.parse(Buffer.concat(meta).toString('utf8')) as unknown;
      } catch {
        throw invalid('Invalid JSON payload received.');
      }
      const parsed = parseWith(attachmentMetaSchema, metaJson);
      filename = parsed.attachment?.filename ?? filename;
    } else if (uploadType === 'media') {
      if (ctx.headers['content-type']) mimeType = ctx.headers['content-type'];
      await consume(ctx.req, take);
    } else {
      throw invalid(`Unsupported uploadType "${uploadType}".`);
    }
    if (!filename) throw invalid('attachment.filename is required.');
    const { rec, attachment } = this.state.addAttachment(
      caseName,
      { filename, mimeType: mimeType.trim(), chunks, sizeBytes: size },
      this.state.caller,
    );
    this.send(ctx, 200, attachmentJson(this.state.attachmentMeta(rec, attachment)));
  }

  private async download(ctx: Ctx, caseName: string, attachmentId: string): Promise<void> {
    if (ctx.query.alt !== 'media') throw invalid('Downloads need alt=media.');
    const a = this.state.attachment(caseName, attachmentId);
    const headers = {
      'content-type': a.mimeType,
      'content-length': String(a.sizeBytes),
      'content-disposition': 'attachment',
    };
    ctx.res.writeHead(200, headers);
    this.record(ctx, 200, headers, undefined);
    const chunks = a.chunks;
    function* pieces(): Generator<Buffer> {
      for (const c of chunks) {
        for (let i = 0; i < c.length; i += DOWNLOAD_CHUNK) yield c.subarray(i, i + DOWNLOAD_CHUNK);
      }
    }
    await pipeline(Readable.from(pieces()), ctx.res).catch(() => undefined);
  }

  private send(ctx: Ctx, status: number, json: unknown, extra: Record<string, string> = {}): void {
    if (ctx.res.destroyed) return;
    const late = ctx.afterFault;
    if (late !== undefined) {
      // The request was handled (its write happened); the client sees the fault instead.
      ctx.afterFault = undefined;
      if (late.drop) ctx.req.socket.destroy();
      else this.sendFault(ctx, late);
      return;
    }
    // Like Google's front ends, JSON is gzipped for clients that accept it.
    const text = Buffer.from(JSON.stringify(json));
    const gzip = /\bgzip\b/i.test(ctx.headers['accept-encoding'] ?? '');
    const body = gzip ? zlib.gzipSync(text) : text;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': String(body.length),
      vary: 'Origin, X-Origin, Referer',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...extra,
    };
    ctx.res.writeHead(status, headers);
    ctx.res.end(body);
    this.record(ctx, status, headers, json);
  }

  /**
   * An injected error status. With retryAfterSeconds it carries both a Retry-After header and
   * a google.rpc.RetryInfo detail, the two ways Google APIs say how long to wait.
   */
  private sendFault(ctx: Ctx, fault: FiredFault): void {
    const status = fault.status ?? 500;
    const error: Record<string, unknown> = {
      code: status,
      message: faultMessage(status),
      status: grpcFor(status),
    };
    const extra: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) {
      extra['retry-after'] = String(fault.retryAfterSeconds);
      error['details'] = [
        {
          '@type': 'type.googleapis.com/google.rpc.RetryInfo',
          retryDelay: `${fault.retryAfterSeconds}s`,
        },
      ];
    }
    this.send(ctx, status, { error }, extra);
  }

  private sendError(ctx: Ctx, e: SimHttpError, extra: Record<string, string> = {}): void {
    this.send(
      ctx,
      e.status,
      { error: { code: e.status, message: e.message, status: e.grpcStatus } },
      extra,
    );
  }

  private record(
    ctx: Ctx,
    status: number,
    responseHeaders: Record<string, string>,
    responseJson: unknown,
  ): void {
    if (!this.opts.onExchange) return;
    const ex: Exchange = {
      method: ctx.method,
      path: ctx.url.pathname,
      query: { ...ctx.query },
      headers: { ...ctx.headers },
      status,
      responseHeaders: { ...responseHeaders },
    };
    if (ctx.requestJson !== undefined) ex.requestJson = ctx.requestJson;
    if (responseJson !== undefined) ex.responseJson = responseJson;
    this.opts.onExchange(ex);
  }

  // --- control API (no auth, no faults, not counted) ----------------------------------------

  private async control(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .slice(1)
      .map((s) => safeDecode(s) ?? '');
    const json = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(text);
    };
    const readControlJson = async (): Promise<unknown> => {
      const buf = await readBody(req, MAX_JSON_BYTES);
      if (buf.length === 0) return {};
      return JSON.parse(buf.toString('utf8')) as unknown;
    };
    const caseNameFor = (num: string): string => {
      const c = this.state.recordByNumber(num);
      return this.state.nameOf(c);
    };
    const detailJson = (d: SimCaseDetail): Record<string, unknown> => ({
      ...caseJson(d),
      comments: d.comments.map((c) => commentJson(c)),
      attachments: d.attachments.map((a) => attachmentJson(a)),
    });
    try {
      const [a, num, b, attId, d] = parts;
      if (a === 'cases' && num === undefined) {
        if (method === 'GET') return json(200, { cases: this.listCases().map((c) => caseJson(c)) });
        if (method === 'POST') {
          const input = controlCaseSchema.parse(await readControlJson());
          const { createTime, ...rest } = input;
          const c = this.createCase({
            ...rest,
            ...(createTime ? { createTime: new Date(createTime) } : {}),
          });
          return json(200, caseJson(c));
        }
      } else if (a === 'cases' && num !== undefined) {
        if (b === undefined && method === 'GET')
          return json(200, detailJson(this.getCase(caseNameFor(num))));
        if (b === 'comments' && method === 'POST') {
          const input = controlCommentSchema.parse(await readControlJson());
          return json(200, commentJson(this.addComment(caseNameFor(num), input)));
        }
        if (b === 'attachments' && attId === undefined && method === 'POST') {
          const name = caseNameFor(num);
          const filename = url.searchParams.get('filename');
          if (!filename) throw invalid('filename is required.');
          const chunks: Buffer[] = [];
          let size = 0;
          await consume(req, (chunk) => {
            chunks.push(chunk);
            size += chunk.length;
          });
          const googleSupport = url.searchParams.get('googleSupport') !== 'false';
          const actor = this.state.personActor(
            googleSupport,
            url.searchParams.get('displayName') ?? undefined,
          );
          const { rec, attachment } = this.state.addAttachment(
            name,
            {
              filename,
              mimeType: url.searchParams.get('mimeType') ?? 'application/octet-stream',
              chunks,
              sizeBytes: size,
            },
            actor,
          );
          return json(200, attachmentJson(this.state.attachmentMeta(rec, attachment)));
        }
        if (b === 'attachments' && attId !== undefined && d === 'content' && method === 'GET') {
          const att = this.state.attachment(caseNameFor(num), attId);
          res.writeHead(200, {
            'content-type': att.mimeType,
            'content-length': String(att.sizeBytes),
          });
          await pipeline(Readable.from(att.chunks), res).catch(() => undefined);
          return;
        }
        if (b === 'priority' && method === 'POST') {
          const input = z
            .object({ priority: z.enum(SIM_PRIORITIES) })
            .parse(await readControlJson());
          return json(200, caseJson(this.setPriority(caseNameFor(num), input.priority)));
        }
        if (b === 'state' && method === 'POST') {
          const input = z.object({ state: z.enum(controlStates) }).parse(await readControlJson());
          return json(200, caseJson(this.setState(caseNameFor(num), input.state)));
        }
        if (b === 'close' && method === 'POST')
          return json(200, caseJson(this.closeCase(caseNameFor(num))));
      } else if (a === 'faults' && num === undefined) {
        if (method === 'GET') return json(200, { faults: this.faults.list() });
        if (method === 'POST') {
          const spec: FaultSpec = controlFaultSchema.parse(await readControlJson());
          return json(200, { id: this.faults.add(spec) });
        }
        if (method === 'DELETE') {
          this.faults.clear();
          return json(200, {});
        }
      } else if (a === 'down' && method === 'POST') {
        const input = z.object({ down: z.boolean() }).parse(await readControlJson());
        this.setDown(input.down);
        return json(200, { down: input.down });
      } else if (a === 'stats') {
        if (method === 'GET') return json(200, this.stats());
        if (method === 'DELETE') {
          this.resetStats();
          return json(200, this.stats());
        }
      }
      await drain(req);
      return json(404, {
        error: { code: 404, message: 'Unknown control route.', status: 'NOT_FOUND' },
      });
    } catch (e) {
      await drain(req);
      if (e instanceof SimHttpError) {
        return json(e.status, {
          error: { code: e.status, message: e.message, status: e.grpcStatus },
        });
      }
      const message =
        e instanceof z.ZodError
          ? 'Invalid control request.'
          : e instanceof Error
            ? e.message
            : 'error';
      return json(400, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
    }
  }
}

function grpcFor(status: number): string {
  return GRPC_STATUS_FOR_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

function faultMessage(status: number): string {
  if (status === 429) return 'Quota exceeded for quota metric and limit.';
  if (status === 503) return 'The service is currently unavailable.';
  if (status >= 500) return 'Internal error encountered.';
  return 'Injected error.';
}

export async function startGoogleSimulator(
  opts: GoogleSimulatorOptions = {},
): Promise<GoogleSimulator> {
  const sim = new GoogleSimulatorServer(opts);
  await sim.listen(opts.port ?? 0);
  return sim;
}

/**
 * One page of a case's comments or attachments, newest first as CSAPI lists them (default
 * page size 10), under the field named `kind`, with a token that resumes after the last item.
 */
function pageNewestFirst<T extends { seq: number }>(
  items: readonly T[],
  kind: 'comments' | 'attachments',
  caseNumber: string,
  query: Record<string, string>,
  toJson: (item: T) => unknown,
): Record<string, unknown> {
  const pageSize = pageSizeOf(query.pageSize, 10);
  const before = decodeToken(query.pageToken, kind, caseNumber);
  const all = items
    .filter((x) => before === undefined || x.seq < before)
    .sort((a, b) => b.seq - a.seq);
  const page = all.slice(0, pageSize);
  const last = page[page.length - 1];
  const out: Record<string, unknown> = {};
  if (page.length > 0) out[kind] = page.map(toJson);
  if (all.length > pageSize && last)
    out.nextPageToken = encodeToken({ k: kind, s: caseNumber, a: last.seq });
  return out;
}
