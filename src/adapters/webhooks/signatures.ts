// The signatures the push senders put on their deliveries, computed over the raw body, and
// the constant-time comparison they are checked with. Also what tests, the sandbox and a
// bench use to sign a delivery.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PushHeaders } from '../../ports/push-source';

/** Jira admin webhooks: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` (WebSub). */
export function jiraSignature(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Zendesk: base64(HMAC-SHA256(secret, timestamp + raw body)) (SPEC §6.1). */
export function zendeskSignature(
  secret: string,
  timestamp: string,
  rawBody: Buffer | string,
): string {
  return createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64');
}

/** Equal strings, compared in constant time for equal lengths (lengths are not secret). */
export function sameSecretText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A header's single value (a repeated header is refused as absent). */
export function header(headers: PushHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The JSON object a body holds, else null (never throws). */
export function jsonObject(rawBody: Buffer): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(rawBody.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** `o.a.b…` when every step is an object, else undefined. */
export function pick(o: unknown, ...path: string[]): unknown {
  let v = o;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
