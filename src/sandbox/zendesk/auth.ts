// Authentication as Zendesk answers it: OAuth access tokens from the client-credentials
// grant (expiring on the simulator's clock) sent as `Authorization: Bearer`, and the legacy
// API token as basic auth `EMAIL/token:API_TOKEN` (Zendesk docs, "Security and
// authentication": API token authentication).
import { randomBytes } from 'node:crypto';
import { ZdError } from './wire';

interface IssuedToken {
  expiresAt: number;
  scope: string;
}

/** Zendesk (Doorkeeper) answer to an unknown, expired or revoked bearer token. */
const INVALID_TOKEN = {
  error: 'invalid_token',
  error_description:
    'The access token provided is expired, revoked, malformed or invalid for other reasons.',
};

export class ZendeskAuth {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly basic: string;

  constructor(
    private readonly opts: {
      clientId: string;
      clientSecret: string;
      ttlSeconds: number;
      email: string;
      apiToken: string;
      now: () => Date;
    },
  ) {
    this.basic = `Basic ${Buffer.from(`${opts.email}/token:${opts.apiToken}`).toString('base64')}`;
  }

  /**
   * The client-credentials grant (POST /oauth/tokens, CreateTokenForGrantType). The client
   * may authenticate in the body or with basic auth (RFC 6749 §2.3.1).
   */
  grant(body: Record<string, unknown>, authorization: string | undefined): Record<string, unknown> {
    let clientId = typeof body['client_id'] === 'string' ? body['client_id'] : undefined;
    let clientSecret =
      typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined;
    if (clientId === undefined && authorization?.startsWith('Basic ') === true) {
      const [id, secret] = Buffer.from(authorization.slice(6), 'base64')
        .toString('utf8')
        .split(':');
      clientId = id;
      clientSecret = secret;
    }
    if (body['grant_type'] !== 'client_credentials') {
      throw new ZdError(400, {
        error: 'unsupported_grant_type',
        error_description:
          'The authorization grant type is not supported by the authorization server.',
      });
    }
    if (clientId !== this.opts.clientId || clientSecret !== this.opts.clientSecret) {
      throw new ZdError(401, {
        error: 'invalid_client',
        error_description:
          'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      });
    }
    const scope =
      typeof body['scope'] === 'string' && body['scope'] !== '' ? body['scope'] : 'read write';
    const accessToken = randomBytes(24).toString('hex');
    this.tokens.set(accessToken, {
      scope,
      expiresAt: this.opts.now().getTime() + this.opts.ttlSeconds * 1000,
    });
    return {
      access_token: accessToken,
      token_type: 'bearer',
      scope,
      expires_in: this.opts.ttlSeconds,
    };
  }

  /** Throws the 401 Zendesk answers unless the request is authenticated for `method`. */
  check(authorization: string | undefined, method: string): void {
    if (authorization === this.basic) return;
    if (authorization?.startsWith('Bearer ') === true) {
      const token = this.tokens.get(authorization.slice(7).trim());
      if (!token || token.expiresAt <= this.opts.now().getTime())
        throw new ZdError(401, INVALID_TOKEN);
      // Grant-type tokens docs, "Scope": "read" is for GET endpoints, "write" for the rest.
      const scopes = token.scope.split(/\s+/);
      const needed = method === 'GET' ? 'read' : 'write';
      if (!scopes.includes(needed)) {
        throw new ZdError(403, {
          error: 'Forbidden',
          description: 'You do not have access to this page.',
        });
      }
      return;
    }
    throw new ZdError(401, { error: "Couldn't authenticate you" });
  }
}
