// The status page's IAP check: ES256 tokens signed by a key of a local JWKS (as Google's
// IAP keys would be), verified for signature, issuer, audience and expiry.
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import {
  IAP_HEADER,
  IAP_ISSUER,
  IapAdminIdentity,
} from '../../src/adapters/iap/iap-admin-identity';

const AUDIENCE = '/projects/123456789/apps/my-support-sync';
type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let signing: Keys;
let other: Keys;
let jwks: { keys: JWK[] };

beforeAll(async () => {
  signing = await generateKeyPair('ES256');
  other = await generateKeyPair('ES256');
  jwks = { keys: [{ ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'ES256' }] };
});

async function token(
  o: { aud?: string; iss?: string; expIn?: number; key?: Keys; kid?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: 'accounts.google.com:ops@example.com' })
    .setProtectedHeader({ alg: 'ES256', kid: o.kid ?? 'k1' })
    .setSubject('accounts.google.com:1234')
    .setIssuer(o.iss ?? IAP_ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (o.expIn ?? 600))
    .sign((o.key ?? signing).privateKey);
}

function identity() {
  const refused: string[] = [];
  const id = new IapAdminIdentity({
    audience: AUDIENCE,
    keys: createLocalJWKSet(jwks),
    onRefused: (r) => refused.push(r),
  });
  return { id, refused };
}

describe('IapAdminIdentity', () => {
  it('accepts a valid assertion and names its user without the provider prefix', async () => {
    const { id, refused } = identity();
    expect(await id.identify({ [IAP_HEADER]: await token() })).toEqual({
      email: 'ops@example.com',
    });
    expect(refused).toEqual([]);
    expect(id.iap).toBe(true);
  });

  it.each([
    ['expired', () => token({ expIn: -120 }), 'ERR_JWT_EXPIRED'],
    [
      'for another audience',
      () => token({ aud: '/projects/9/apps/other' }),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'from another issuer',
      () => token({ iss: 'https://evil.example' }),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    [
      'signed by a key IAP does not publish',
      () => token({ key: other }),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    ],
    ['with an unknown key id', () => token({ kid: 'nope' }), 'ERR_JWKS_NO_MATCHING_KEY'],
    ['not a JWT at all', async () => 'garbage', 'ERR_JWS_INVALID'],
  ])('refuses an assertion %s', async (_name, make, reason) => {
    const { id, refused } = identity();
    expect(await id.identify({ [IAP_HEADER]: await make() })).toBeNull();
    expect(refused).toEqual([reason]);
  });

  it('refuses a request without the header', async () => {
    const { id, refused } = identity();
    expect(await id.identify({})).toBeNull();
    expect(await id.identify({ [IAP_HEADER]: ['a', 'b'] })).toBeNull();
    expect(refused).toEqual(['missing', 'missing']);
  });
});
