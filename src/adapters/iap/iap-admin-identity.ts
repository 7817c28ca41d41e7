// The status page's access control on App Engine: every request's
// `x-goog-iap-jwt-assertion` is verified (ES256, Google's IAP keys, issuer, audience,
// expiry) with jose. The key source is injected: production fetches Google's JWKS (cached
// by jose), tests pass a local one.
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AdminIdentity, AdminUser, RequestHeaders } from '../../ports/admin-identity';

export const IAP_ISSUER = 'https://cloud.google.com/iap';
export const IAP_KEYS_URL = 'https://www.gstatic.com/iap/verify/public_key-jwk';
export const IAP_HEADER = 'x-goog-iap-jwt-assertion';

export interface IapAdminIdentityOptions {
  /** `/projects/PROJECT_NUMBER/apps/PROJECT_ID` (ADMIN_IAP_AUDIENCE). */
  readonly audience: string;
  /** Where the signing keys come from (default: Google's IAP JWKS). */
  readonly keys?: JWTVerifyGetKey;
  /** Verification time (tests); the current time by default. */
  readonly now?: () => Date;
  /** Called with the reason a token was refused (a constant; never the token). */
  readonly onRefused?: (reason: string) => void;
}

export class IapAdminIdentity implements AdminIdentity {
  readonly iap = true;
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: IapAdminIdentityOptions) {
    this.keys = options.keys ?? createRemoteJWKSet(new URL(IAP_KEYS_URL));
  }

  async identify(headers: RequestHeaders): Promise<AdminUser | null> {
    const token = headers[IAP_HEADER];
    if (typeof token !== 'string' || token === '') {
      this.options.onRefused?.('missing');
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: ['ES256'],
        issuer: IAP_ISSUER,
        audience: this.options.audience,
        ...(this.options.now ? { currentDate: this.options.now() } : {}),
      });
      const email = payload.email;
      if (typeof email !== 'string' || email === '' || typeof payload.sub !== 'string') {
        this.options.onRefused?.('no-email');
        return null;
      }
      // IAP prefixes identities with their provider (`accounts.google.com:`).
      return { email: email.replace(/^[a-z.]+:/, '') };
    } catch (e) {
      this.options.onRefused?.((e as { code?: string }).code ?? 'invalid');
      return null;
    }
  }
}

/** Local use only (the sandbox): no check at all; the page shows "no IAP" in red. */
export const noIapIdentity: AdminIdentity = {
  iap: false,
  identify: async () => ({ email: 'sandbox-operator@localhost' }),
};
