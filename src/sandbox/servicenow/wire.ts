// ServiceNow's wire format: UTC glide date-times to the second, the error envelope every
// REST API answers, and what a route returns. References are to
// /work/shared/reference/servicenow/ (ServiceNow's own documentation pages).
import type { Readable } from 'node:stream';

/**
 * `2015-11-01 22:37:27`: the database value of a date-time field is UTC (c_TableAPI.md,
 * sysparm_display_value: "Date fields: The database value is in UTC format").
 */
export function glideDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses a glide date-time (UTC); NaN when it is not one. */
export function parseGlideDate(s: string): number {
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s)
    ? Date.parse(`${s.replace(' ', 'T')}Z`)
    : Number.NaN;
}

/** What a route answers: JSON, or a byte stream (a file). */
export interface SnReply {
  status: number;
  json?: unknown;
  stream?: Readable;
  headers?: Record<string, string>;
}

/**
 * The error envelope (inbound-REST-API-rate-limiting.md and c_AttachmentAPI.md, "error" /
 * "status": `{"error":{"message","detail"},"status":"failure"}`), thrown from any route.
 */
export class SnError extends Error {
  constructor(
    readonly status: number,
    readonly errorMessage: string,
    readonly detail: string | null,
    readonly headers: Record<string, string> = {},
  ) {
    super(`servicenow sim ${status}`);
  }

  get body(): unknown {
    return { error: { message: this.errorMessage, detail: this.detail }, status: 'failure' };
  }
}

/**
 * c_TableAPI.md, GET/PATCH …/{sys_id}: "404 Not found. The requested item wasn't found."
 * The message and detail are ServiceNow's usual ones (not quoted in the reference pages).
 */
export const noRecord = (): SnError =>
  new SnError(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");

/** A write refused by an ACL, a data policy or a business rule (403, "Operation Failed"). */
export const operationFailed = (detail: string): SnError =>
  new SnError(403, 'Operation Failed', detail);
