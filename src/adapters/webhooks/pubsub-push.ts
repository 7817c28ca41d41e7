// Google Cloud Support case events through a Pub/Sub push subscription: Pub/Sub POSTs
// `{"message": {"data", "attributes", "messageId", …}, "subscription"}` with an OIDC token
// (`Authorization: Bearer`) it signs for the subscription's service account. The token is
// verified with jose: Google's signature (JWKS from Google's certs URL, or an injected key
// set in tests), issuer, audience, expiry, and the service account's verified email.
// The event's payload is not documented publicly: a message is only a trigger, read for a
// case name (attributes first, then the data), never for anything else.
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { PushAuth, PushDelivery, PushEvent, PushSource } from '../../ports/push-source';
import { header, jsonObject, pick } from './signatures';

export const GOOGLE_OIDC_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
export const GOOGLE_CERTS_URL = 'https://www.googleapis.com/oauth2/v3/certs';

const CASE_NAME = /^(organizations|projects)\/[^/\s]+\/cases\/[^/\s]+$/;
/** Attribute and data fields that may hold the case name, in the order they are tried. */
const NAME_FIELDS = ['caseName', 'case_name', 'case', 'name', 'resourceName', 'resource'];

export interface PubSubPushOptions {
  /** The audience the push subscription puts in its tokens (GOOGLE_PUSH_AUDIENCE). */
  readonly audience: string;
  /** The push subscription's service account (GOOGLE_PUSH_SERVICE_ACCOUNT). */
  readonly serviceAccountEmail: string;
  /** Where the signing keys come from (default: Google's JWKS, cached by jose). */
  readonly keys?: JWTVerifyGetKey;
  readonly now?: () => Date;
}

export class PubSubPushSource implements PushSource {
  readonly name = 'google' as const;
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly opts: PubSubPushOptions) {
    this.keys = opts.keys ?? createRemoteJWKSet(new URL(GOOGLE_CERTS_URL));
  }

  async authenticate(d: PushDelivery): Promise<PushAuth> {
    const auth = header(d.headers, 'authorization');
    const token = auth === undefined ? undefined : /^Bearer ([\w.-]+)$/.exec(auth)?.[1];
    if (token === undefined) return { ok: false, reason: 'missing' };
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        issuer: GOOGLE_OIDC_ISSUERS,
        audience: this.opts.audience,
        ...(this.opts.now ? { currentDate: this.opts.now() } : {}),
      });
      if (payload.email !== this.opts.serviceAccountEmail || payload.email_verified !== true)
        return { ok: false, reason: 'service-account' };
      return { ok: true };
    } catch (e) {
      // jose's error code (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, …).
      return { ok: false, reason: (e as { code?: string }).code ?? 'invalid' };
    }
  }

  async read(d: PushDelivery): Promise<PushEvent> {
    const body = jsonObject(d.rawBody);
    const messageId = pick(body, 'message', 'messageId') ?? pick(body, 'message', 'message_id');
    const subscription = pick(body, 'subscription');
    const deliveryId =
      typeof messageId === 'string'
        ? `${typeof subscription === 'string' ? subscription : ''}/${messageId}`.slice(0, 300)
        : null;
    const caseName = caseNameOf(pick(body, 'message'));
    return caseName === null
      ? { kind: 'ignore', reason: 'no-case-name', deliveryId }
      : { kind: 'sync', trigger: { side: 'google', caseName }, deliveryId };
  }
}

/** The case name a message names in its attributes, else in its (base64) data, else null. */
function caseNameOf(message: unknown): string | null {
  const found = (o: unknown): string | null => {
    for (const f of NAME_FIELDS) {
      const v = pick(o, f);
      if (typeof v === 'string' && CASE_NAME.test(v)) return v;
      const nested = pick(v, 'name');
      if (typeof nested === 'string' && CASE_NAME.test(nested)) return nested;
    }
    return null;
  };
  const fromAttributes = found(pick(message, 'attributes'));
  if (fromAttributes !== null) return fromAttributes;
  const data = pick(message, 'data');
  if (typeof data !== 'string') return null;
  const text = Buffer.from(data, 'base64').toString('utf8').trim();
  if (CASE_NAME.test(text)) return text;
  return found(jsonObject(Buffer.from(text, 'utf8')));
}
