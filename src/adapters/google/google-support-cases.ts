// SupportCases on the Cloud Support API v2, through the googleapis client (deep import:
// the whole `googleapis` package costs ~1 s at start-up).
//
// - The library's own retries are off (`retry: false`). Each call goes through retry.ts
//   instead (google-call.ts sends, times, classifies, checks and repeats it), inside a time
//   budget: 429 and 503 with Retry-After (or a RetryInfo detail) are retried after the
//   wait they ask for; 5xx and network errors only for idempotent calls
//   (reads, patch, close), never for the POSTs that create a case or a comment. Uploads are
//   never repeated (their source stream is spent): the task queue retries those.
// - HTTP goes through a small fetch on node:http (node-http-fetch.ts): the platform fetch
//   keeps a streamed upload body in memory, and gaxios' default (node-fetch, an ES module
//   imported dynamically) fails under jest's CommonJS runtime.
// - googleapis ignores a client-level rootUrl for media uploads (it would post to
//   cloudsupport.googleapis.com): the root URL is passed in every call's options.
// - A fixed bearer token goes in the Authorization header (a string `auth` would be sent
//   by googleapis as an API key).
import { Transform, type Readable } from 'node:stream';
import { auth as googleAuth, cloudsupport_v2 } from 'googleapis/build/src/apis/cloudsupport';
import type { GlobalOptions } from 'googleapis/build/src/apis/cloudsupport';
import { NotFoundError, SyncError } from '../../domain/errors';
import { priorityToGoogle } from '../../domain/priority';
import type { RetryPolicy } from '../retry';
import type {
  Attachment,
  Comment,
  NewSupportCase,
  Priority,
  SupportCase,
} from '../../domain/types';
import type { Page, SupportCases } from '../../ports/support-cases';
import type { Check } from '../../domain/checks';
import type { SyncSettings } from '../../domain/settings';
import { diagnoseGoogle } from './google-diagnose';
import { GoogleCaller, googleBudget, mediaStream, nextToken, observedFetch } from './google-call';
import type { UpstreamBudget } from '../http/upstream-budget';
import { nodeHttpFetch } from './node-http-fetch';
import {
  attachmentSchema,
  caseSchema,
  commentSchema,
  listAttachmentsSchema,
  listCommentsSchema,
  searchCasesSchema,
  toAttachment,
  toComment,
  toSupportCase,
} from './google-mapping';

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** The service account the Cloud Support simulator reports as the API caller. */
const EMULATOR_CONNECTOR_EMAIL = 'connector@sandbox-project.iam.gserviceaccount.com';
const PAGE_SIZE = 100;
const DEFAULT_TIMEOUT_MS = 60_000;

/** An OAuth2 client, a GoogleAuth (ADC), or any google-auth-library client. */
type GoogleAuthClient = Exclude<NonNullable<GlobalOptions['auth']>, string>;

export interface GoogleSupportCasesOptions {
  /** e.g. `http://127.0.0.1:8091/` for a simulator. Default: the real API. */
  rootUrl?: string;
  /** An auth client, or a fixed bearer token (sent as `Authorization: Bearer …`). */
  auth: GoogleAuthClient | string;
  /**
   * The connector's own identity (service account email) to recognise its comments and
   * attachments; a function is resolved once, on first need (e.g. from ADC).
   */
  connectorEmail?: string | (() => Promise<string | undefined>);
  /**
   * Per request. For downloads it covers the wait for the response headers; for uploads
   * it is an inactivity timeout (no byte sent, or no answer, for that long). Default 60 s.
   */
  requestTimeoutMs?: number;
  /** The fetch used for HTTP (tests may wrap it). Default: nodeHttpFetch. */
  fetchImplementation?: typeof fetch;
  /** Retries within one call: time budget (default 20 s), attempts, injected clock and sleep. */
  retry?: RetryPolicy;
  /** The project's request budget (paces calls, learns the quota from 429s); false: off. */
  budget?: UpstreamBudget | false;
}

export class GoogleSupportCases implements SupportCases {
  private readonly api: cloudsupport_v2.Cloudsupport;
  private readonly connectorEmailSource: GoogleSupportCasesOptions['connectorEmail'];
  private connectorEmailPromise: Promise<string | undefined> | undefined;
  private readonly caller: GoogleCaller;
  private readonly global: GlobalOptions;

  constructor(opts: GoogleSupportCasesOptions) {
    const budget =
      opts.budget === false ? undefined : (opts.budget ?? googleBudget(opts.retry ?? {}));
    this.caller = new GoogleCaller(
      opts.rootUrl,
      opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      opts.retry ?? {},
      budget,
    );
    this.connectorEmailSource = opts.connectorEmail;
    const baseFetch = opts.fetchImplementation ?? nodeHttpFetch;
    const fetchImplementation = budget === undefined ? baseFetch : observedFetch(baseFetch, budget);
    const global: GlobalOptions = { retry: false, fetchImplementation };
    if (opts.rootUrl !== undefined) global.rootUrl = opts.rootUrl;
    if (typeof opts.auth === 'string') global.headers = { Authorization: `Bearer ${opts.auth}` };
    else global.auth = opts.auth;
    this.global = global;
    this.api = new cloudsupport_v2.Cloudsupport(global);
  }

  diagnose(settings: SyncSettings): Promise<Check[]> {
    const { api, global, caller } = this;
    return diagnoseGoogle({ api, global, caller, identity: () => this.connectorEmail() }, settings);
  }

  // --- port -----------------------------------------------------------------------------

  async searchUpdated(
    parent: string,
    updatedAfter: Date,
    pageToken?: string,
  ): Promise<Page<SupportCase>> {
    const data = await this.caller.json('cases.search', searchCasesSchema, ({ opts }) =>
      this.api.cases.search(
        {
          parent,
          query: `update_time>"${updatedAfter.toISOString()}"`,
          pageSize: PAGE_SIZE,
          pageToken,
        },
        opts,
      ),
    );
    const next = data.nextPageToken || undefined;
    return {
      items: (data.cases ?? []).map(toSupportCase),
      ...(next ? { nextPageToken: next } : {}),
    };
  }

  async get(caseName: string): Promise<SupportCase | null> {
    try {
      const c = await this.caller.json('cases.get', caseSchema, ({ opts }) =>
        this.api.cases.get({ name: caseName }, opts),
      );
      return toSupportCase(c);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  async create(input: NewSupportCase): Promise<SupportCase> {
    const c = await this.caller.json(
      'cases.create',
      caseSchema,
      ({ opts }) =>
        this.api.cases.create(
          {
            parent: input.parent,
            requestBody: {
              displayName: input.displayName,
              description: input.description,
              classification: { id: input.classificationId },
              priority: priorityToGoogle(input.priority),
              testCase: input.testCase,
            },
          },
          opts,
        ),
      'refusals',
    );
    return toSupportCase(c);
  }

  async findByDescriptionPrefix(
    parent: string,
    prefix: string,
    since: Date,
  ): Promise<SupportCase | null> {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.searchUpdated(parent, since, pageToken);
      const hit = page.items.find((c) => c.description.startsWith(prefix));
      if (hit) return hit;
      pageToken = nextToken(page.nextPageToken, seen, 'cases.search');
    } while (pageToken);
    return null;
  }

  async setPriority(caseName: string, priority: Priority): Promise<void> {
    await this.caller.json('cases.patch', caseSchema, ({ opts }) =>
      this.api.cases.patch(
        {
          name: caseName,
          updateMask: 'priority',
          requestBody: { priority: priorityToGoogle(priority) },
        },
        opts,
      ),
    );
  }

  async close(caseName: string): Promise<void> {
    try {
      await this.caller.json('cases.close', caseSchema, ({ opts }) =>
        this.api.cases.close({ name: caseName, requestBody: {} }, opts),
      );
    } catch (e) {
      // Not documented either way: should the API refuse to close a closed case (400),
      // the goal is reached all the same.
      if (e instanceof SyncError && e.status === 400) {
        const current = await this.get(caseName);
        if (current?.closed) return;
      }
      throw e;
    }
  }

  async listComments(caseName: string, since?: Date): Promise<Comment[]> {
    const me = await this.connectorEmail();
    const newestFirst: Comment[] = [];
    const seen = new Set<string>();
    let pageToken: string | undefined;
    do {
      const data = await this.caller.json('cases.comments.list', listCommentsSchema, ({ opts }) =>
        this.api.cases.comments.list({ parent: caseName, pageSize: PAGE_SIZE, pageToken }, opts),
      );
      const page = (data.comments ?? []).map((c) => toComment(c, me));
      let oldest: number | undefined;
      for (const c of page) {
        const t = c.createTime.getTime();
        oldest = oldest === undefined ? t : Math.min(oldest, t);
        if (since === undefined || t > since.getTime()) newestFirst.push(c);
      }
      // Upstream lists newest first: once a page reaches `since`, older pages are not needed.
      if (since !== undefined && oldest !== undefined && oldest <= since.getTime()) break;
      pageToken = nextToken(data.nextPageToken, seen, 'cases.comments.list');
    } while (pageToken);
    return newestFirst.reverse().sort((a, b) => a.createTime.getTime() - b.createTime.getTime());
  }

  async addComment(caseName: string, body: string): Promise<Comment> {
    const me = await this.connectorEmail();
    const c = await this.caller.json(
      'cases.comments.create',
      commentSchema,
      ({ opts }) =>
        this.api.cases.comments.create({ parent: caseName, requestBody: { body } }, opts),
      'refusals',
    );
    return toComment(c, me);
  }

  async listAttachments(caseName: string): Promise<Attachment[]> {
    const me = await this.connectorEmail();
    const all: Attachment[] = [];
    const seen = new Set<string>();
    let pageToken: string | undefined;
    do {
      const data = await this.caller.json(
        'cases.attachments.list',
        listAttachmentsSchema,
        ({ opts }) =>
          this.api.cases.attachments.list(
            { parent: caseName, pageSize: PAGE_SIZE, pageToken },
            opts,
          ),
      );
      for (const a of data.attachments ?? []) all.push(toAttachment(a, me));
      pageToken = nextToken(data.nextPageToken, seen, 'cases.attachments.list');
    } while (pageToken);
    return all.sort((a, b) => a.createTime.getTime() - b.createTime.getTime());
  }

  async download(caseName: string, attachmentId: string): Promise<Readable> {
    const name = `${caseName}/attachments/${attachmentId}`;
    // Retried until the headers arrive; a stream that breaks later is the caller's retry.
    const res = await this.caller.repeat('idempotent', () =>
      this.caller.run('media.download', ({ opts }) =>
        this.api.media.download({ name, alt: 'media' }, { ...opts, responseType: 'stream' }),
      ),
    );
    return mediaStream(res.data);
  }

  async upload(
    caseName: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    const me = await this.connectorEmail();
    let sourceError: unknown;
    let body: Transform | undefined;
    try {
      const a = await this.caller.json(
        'media.upload',
        attachmentSchema,
        (call) => {
          // Each chunk restarts the inactivity timer; a failing source aborts the request
          // (googleapis pipes without forwarding errors, so it would otherwise hang).
          const counted = new Transform({
            transform(chunk: Buffer, _enc, done) {
              call.touch();
              done(null, chunk);
            },
          });
          body = counted;
          file.content.once('error', (e) => {
            sourceError = e;
            call.abort();
          });
          file.content.pipe(counted);
          return this.api.media.upload(
            {
              parent: caseName,
              requestBody: { attachment: { filename: file.filename } },
              media: { mimeType: file.mimeType || 'application/octet-stream', body: counted },
            },
            call.opts,
          );
        },
        'never',
      );
      return toAttachment(a, me);
    } catch (e) {
      if (body) {
        file.content.unpipe(body);
        body.destroy();
      }
      if (!file.content.destroyed) file.content.destroy();
      if (sourceError !== undefined) {
        if (sourceError instanceof SyncError) throw sourceError;
        throw new SyncError('retry', 'Cloud Support media.upload failed: source stream error', {
          source: 'google',
        });
      }
      throw e;
    }
  }

  // --- plumbing -------------------------------------------------------------------------

  private connectorEmail(): Promise<string | undefined> {
    const src = this.connectorEmailSource;
    if (typeof src !== 'function') return Promise.resolve(src);
    this.connectorEmailPromise ??= src().catch((e: unknown) => {
      this.connectorEmailPromise = undefined;
      throw new SyncError('retry', 'Cloud Support: cannot resolve the connector identity', {
        source: 'google',
        cause: e,
      });
    });
    return this.connectorEmailPromise;
  }
}

/**
 * For a Cloud Support simulator (CLOUDSUPPORT_EMULATOR_HOST): plain HTTP to `host`, a
 * fixed bearer token, never loads Google credentials.
 */
export function googleSupportCasesForEmulator(
  host: string,
  token: string,
  opts: {
    connectorEmail?: string;
    requestTimeoutMs?: number;
    fetchImplementation?: typeof fetch;
    retry?: RetryPolicy;
    budget?: UpstreamBudget | false;
  } = {},
): GoogleSupportCases {
  return new GoogleSupportCases({
    rootUrl: `http://${host}/`,
    auth: token,
    connectorEmail: opts.connectorEmail ?? EMULATOR_CONNECTOR_EMAIL,
    requestTimeoutMs: opts.requestTimeoutMs,
    fetchImplementation: opts.fetchImplementation,
    retry: opts.retry,
    budget: opts.budget,
  });
}

/**
 * Production: Application Default Credentials (the App Engine service account) with the
 * cloud-platform scope. The connector's email is read from the credentials when not given.
 */
export function googleSupportCasesFromAdc(
  opts: { connectorEmail?: string; requestTimeoutMs?: number; retry?: RetryPolicy } = {},
): GoogleSupportCases {
  const adc = new googleAuth.GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  return new GoogleSupportCases({
    auth: adc,
    connectorEmail: opts.connectorEmail ?? (async () => (await adc.getCredentials()).client_email),
    requestTimeoutMs: opts.requestTimeoutMs,
    retry: opts.retry,
  });
}
