// Jira's wire format, shared by every route plugin: the error envelope, the reply a route
// handler returns (a value, not a side effect) and how it is written to the Fastify reply.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { SimError, type AttachmentRecord } from './state-model';

/** What a route (or a check before it) answers; `send` writes it in Jira's wire format. */
export interface SimReply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  attachment?: AttachmentRecord;
}

/** Jira's timestamp format: 2026-11-30T10:00:00.000+0000. */
export function jiraDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function envelope(
  errorMessages: readonly string[],
  errors: Record<string, string> = {},
): unknown {
  return { errorMessages: [...errorMessages], errors };
}

export function fail(status: number, message: string): SimError {
  return new SimError(status, [message]);
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** A thrown error as Jira answers it (JSM's own shape under /rest/servicedeskapi/). */
export function errorReply(e: unknown, path: string): SimReply {
  if (e instanceof SimError) {
    if (path.startsWith('/rest/servicedeskapi/')) {
      return { status: e.status, json: { errorMessage: e.message } };
    }
    return { status: e.status, json: envelope(e.errorMessages, { ...e.errors }) };
  }
  return { status: 500, json: envelope(['Internal server error']) };
}

/** The request URL parsed as the old simulator did (its path and query feed faults and stats). */
export function requestUrl(rawUrl: string | undefined): URL {
  return new URL(rawUrl ?? '/', 'http://127.0.0.1');
}

/**
 * Writes `r` with exactly the headers the simulator chose (JSON and text with Jira's
 * `;charset=UTF-8`, attachments streamed chunk by chunk as stored, never concatenated).
 */
export function send(reply: FastifyReply, r: SimReply): FastifyReply {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  // Buffers, so that Fastify sends the content type exactly as set (no added charset).
  let payload: Buffer | undefined;
  if (r.json !== undefined) {
    payload = Buffer.from(JSON.stringify(r.json));
    headers['content-type'] ??= 'application/json;charset=UTF-8';
  } else if (r.text !== undefined) {
    payload = Buffer.from(r.text);
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
  } else if (r.attachment !== undefined) {
    const a = r.attachment;
    headers['content-type'] = a.mimeType;
    headers['content-length'] = String(a.size);
    headers['content-disposition'] =
      `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`;
  }
  if (payload !== undefined) headers['content-length'] = String(payload.length);
  reply.code(r.status).headers(headers);
  if (payload !== undefined) return reply.send(payload);
  if (r.attachment !== undefined) return reply.send(Readable.from(r.attachment.chunks));
  return reply.send();
}

// --- request validation -------------------------------------------------------------------

export function requireObject(body: unknown): Record<string, unknown> {
  const rec = asRecord(body);
  if (!rec) throw fail(400, 'Request body must be a JSON object.');
  return rec;
}

/** Jira (Jackson) refuses fields its request bean does not know. */
export function rejectUnknown(
  rec: Record<string, unknown>,
  allowed: readonly string[],
  bean: string,
): void {
  for (const k of Object.keys(rec)) {
    if (!allowed.includes(k)) {
      throw fail(400, `Unrecognized field "${k}" (class ${bean}), not marked as ignorable`);
    }
  }
}

export function stringList(v: unknown, name: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw fail(400, `'${name}' must be an array of strings.`);
  return v as string[];
}
