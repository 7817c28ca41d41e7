// Attachment transfers with Jira, streamed both ways. jira.js 5.4 buffers both (its
// addAttachment merges the stream into one array; getAttachmentContent reads an
// arraybuffer), so these two requests are sent here with node:http(s) and form-data.
import * as http from 'node:http';
import * as https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import FormData from 'form-data';
import { SyncError } from '../../domain/errors';
import type { UpstreamBudget } from '../http/upstream-budget';
import { httpError, JIRA_SOURCE as SOURCE, networkError } from './jira-errors';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const MAX_JSON_RESPONSE = 1024 * 1024;

export interface StreamRequestOptions {
  /** `Basic …` header value. */
  readonly authorization: string;
  /** Socket idle timeout. */
  readonly timeoutMs: number;
  /** The site's request budget (JiraClient's): requests to the site's origin go through it. */
  readonly budget?: UpstreamBudget;
}

/** `send` inside the site's budget, when there is one; its answer is reported to it. */
async function budgeted(
  budget: UpstreamBudget | undefined,
  request: () => Promise<http.IncomingMessage>,
): Promise<http.IncomingMessage> {
  if (budget === undefined) return request();
  const res = await budget.run(request);
  budget.observe(res.statusCode ?? 0, res.headers);
  return res;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  timeoutMs: number,
  op: string,
  body?: (req: http.ClientRequest) => void,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method, headers });
    let settled = false;
    req.setTimeout(timeoutMs, () => {
      req.destroy(
        new SyncError('retry', `Jira ${op} failed: timeout after ${timeoutMs} ms`, {
          source: SOURCE,
        }),
      );
    });
    req.on('response', (res) => {
      settled = true;
      resolve(res);
    });
    req.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(networkError(op, e));
      }
    });
    if (body) body(req);
    else req.end();
  });
}

function readJson(res: http.IncomingMessage, op: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_JSON_RESPONSE) {
        res.destroy();
        reject(
          new SyncError('permanent', `Jira ${op} answered an oversized body`, { source: SOURCE }),
        );
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch {
        reject(
          new SyncError('permanent', `Jira ${op} answered a body that is not JSON`, {
            source: SOURCE,
          }),
        );
      }
    });
    res.on('error', (e) => reject(networkError(op, e)));
  });
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * GETs an attachment's bytes as a stream: follows Jira's 303 to the media URL itself and
 * drops the Authorization header when a redirect leaves the site's origin.
 */
export async function downloadStream(
  startUrl: string,
  opts: StreamRequestOptions,
): Promise<Readable> {
  const op = 'GET attachment content';
  const origin = new URL(startUrl).origin;
  let url = new URL(startUrl);
  let withAuth = true;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { Accept: '*/*' };
    if (withAuth) headers['Authorization'] = opts.authorization;
    // The site's own requests count against its budget; the media host's do not.
    const res = await budgeted(url.origin === origin ? opts.budget : undefined, () =>
      send(url, 'GET', headers, opts.timeoutMs, op),
    );
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      res.resume();
      const location = header(res, 'location');
      if (location === undefined || hop >= MAX_REDIRECTS) {
        throw new SyncError('permanent', `Jira ${op} failed: bad redirect (HTTP ${status})`, {
          status,
          source: SOURCE,
        });
      }
      url = new URL(location, url);
      if (url.origin !== origin) withAuth = false;
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw httpError(op, status, header(res, 'retry-after'));
    }
    const out = new PassThrough();
    res.on('error', (e) => out.destroy(networkError(op, e)));
    res.on('aborted', () =>
      out.destroy(
        new SyncError('retry', `Jira ${op} failed: connection closed early`, { source: SOURCE }),
      ),
    );
    out.on('close', () => {
      if (!res.complete) res.destroy();
    });
    res.pipe(out);
    return out;
  }
}

function quoteParam(value: string): string {
  // As browsers encode form-data names (WHATWG): no raw quote, CR or LF in the header.
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

/**
 * POSTs one file as multipart/form-data (field `file`), streaming `content` through, with
 * `X-Atlassian-Token: no-check`. Returns the parsed JSON answer (an array of attachments).
 */
export async function uploadStream(
  url: string,
  file: { filename: string; mimeType: string; content: Readable },
  opts: StreamRequestOptions,
): Promise<unknown> {
  const op = 'POST attachments';
  const sourceFailure = (e: unknown): SyncError =>
    e instanceof SyncError
      ? e
      : new SyncError('retry', `Jira ${op} failed: the source stream failed`, { source: SOURCE });
  if (file.content.errored !== null && file.content.errored !== undefined)
    throw sourceFailure(file.content.errored);
  if (file.content.destroyed) throw sourceFailure(undefined);
  const form = new FormData();
  const mimeType = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/.test(file.mimeType)
    ? file.mimeType
    : 'application/octet-stream';
  form.append('file', file.content, {
    header:
      `--${form.getBoundary()}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="${quoteParam(file.filename)}"\r\n` +
      `Content-Type: ${mimeType}\r\n\r\n`,
  });
  let sourceError: unknown;
  let sent = false;
  const res = await budgeted(opts.budget, () => {
    sent = true;
    return send(
      new URL(url),
      'POST',
      {
        ...form.getHeaders(),
        Accept: 'application/json',
        Authorization: opts.authorization,
        'X-Atlassian-Token': 'no-check',
      },
      opts.timeoutMs,
      op,
      (req) => {
        file.content.once('error', (e) => {
          sourceError = e;
          req.destroy(e);
        });
        form.on('error', (e: unknown) => {
          sourceError ??= e;
          req.destroy(e instanceof Error ? e : new Error('upload source failed'));
        });
        form.pipe(req);
      },
    );
  }).catch((e: unknown) => {
    // Refused by the budget before sending: the source is not read, release it.
    if (!sent) file.content.destroy();
    if (sourceError !== undefined) throw sourceFailure(sourceError);
    throw e;
  });
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    res.resume();
    file.content.destroy();
    throw httpError(op, status, header(res, 'retry-after'));
  }
  return readJson(res, op);
}
