// The Pub/Sub emulator's missing piece: a push subscription's OIDC token. Pub/Sub signs one
// for the subscription's service account (`Authorization: Bearer`, issuer
// accounts.google.com, the subscription's audience, the account's verified email); the
// emulator accepts the oidcToken settings but sends no token. This relay, which the
// emulator pushes to, adds such a token signed with a local RSA key and forwards the request
// unchanged (body and content type) to the connector's /webhooks/google, returning its
// answer (so the emulator retries what the connector refuses). The connector must be given
// the relay's public key set instead of Google's (`jwks`): only the sandbox and the bench
// do that.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type KeyLike } from 'jose';

export interface OidcRelayOptions {
  /** Where to forward: the connector's `…/webhooks/google` (a function: known later). */
  readonly target: string | (() => string);
  readonly audience: string;
  readonly serviceAccountEmail: string;
  readonly port?: number;
}

export interface OidcRelay {
  /** Where the emulator's push subscription should push. */
  readonly url: string;
  /** The public keys that verify the relay's tokens. */
  readonly jwks: JSONWebKeySet;
  /** Pushes forwarded so far, and the connector's answers by status. */
  stats(): { readonly forwarded: number; readonly byStatus: Readonly<Record<string, number>> };
  close(): Promise<void>;
}

const KID = 'sandbox-pubsub-push';

export async function startOidcRelay(opts: OidcRelayOptions): Promise<OidcRelay> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }],
  };
  let forwarded = 0;
  const byStatus: Record<string, number> = {};
  const token = (key: KeyLike) =>
    new SignJWT({ email: opts.serviceAccountEmail, email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
      .setIssuer('https://accounts.google.com')
      .setAudience(opts.audience)
      .setSubject('100000000000000000001')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let status = 502;
        let text = '{"error":"relay: the connector did not answer"}';
        try {
          const target = typeof opts.target === 'string' ? opts.target : opts.target();
          const answer = await fetch(target, {
            method: 'POST',
            headers: {
              'content-type': req.headers['content-type'] ?? 'application/json',
              authorization: `Bearer ${await token(privateKey)}`,
            },
            body: Buffer.concat(chunks),
            signal: AbortSignal.timeout(30_000),
          });
          status = answer.status;
          text = await answer.text();
        } catch {
          // 502 below: the emulator retries it
        }
        forwarded += 1;
        byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`;
  return {
    url,
    jwks,
    stats: () => ({ forwarded, byStatus: { ...byStatus } }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
