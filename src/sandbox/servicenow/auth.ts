// Authentication as the instance answers it: basic auth of a local user, and OAuth access
// tokens from the client-credentials grant at /oauth_token.do (form-encoded), expiring on
// the simulator's clock, sent as `Authorization: Bearer`. The reference pages show only
// basic auth (`--user 'username':'password'` in every cURL example of c_TableAPI.md); the
// token endpoint's shape is ServiceNow's OAuth one (not in the reference pages), and its
// errors are OAuth's, not the REST envelope.
import { randomBytes } from 'node:crypto';
import { SnError } from './wire';

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`oauth ${status}`);
  }
}

export class ServiceNowAuth {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly opts: {
      userName: string;
      password: string;
      clientId: string;
      clientSecret: string;
      ttlSeconds: number;
      now: () => Date;
    },
  ) {}

  grant(body: Record<string, unknown>): Record<string, unknown> {
    if (body['grant_type'] !== 'client_credentials')
      throw new OAuthError(400, {
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be client_credentials',
      });
    if (
      body['client_id'] !== this.opts.clientId ||
      body['client_secret'] !== this.opts.clientSecret
    )
      throw new OAuthError(401, { error: 'access_denied', error_description: 'access_denied' });
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, this.opts.now().getTime() + this.opts.ttlSeconds * 1000);
    return {
      access_token: token,
      scope: 'useraccount',
      token_type: 'Bearer',
      expires_in: this.opts.ttlSeconds,
    };
  }

  /** Throws the instance's 401 envelope unless the header authenticates the integration user. */
  check(authorization: string | undefined): void {
    if (authorization?.startsWith('Basic ') === true) {
      const [user, ...rest] = Buffer.from(authorization.slice(6), 'base64')
        .toString('utf8')
        .split(':');
      if (user === this.opts.userName && rest.join(':') === this.opts.password) return;
    } else if (authorization?.startsWith('Bearer ') === true) {
      const exp = this.tokens.get(authorization.slice(7));
      if (exp !== undefined && this.opts.now().getTime() < exp) return;
    }
    // c_AttachmentAPI.md, status codes: "401 Unauthorized. The user credentials are
    // incorrect or have not been passed."
    throw new SnError(401, 'User Not Authenticated', 'Required to provide Auth information');
  }
}
